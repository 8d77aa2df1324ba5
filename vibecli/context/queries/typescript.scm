; References for the repo map: names this file uses that another file may define.
(call_expression function: (identifier) @ref)
(call_expression function: (member_expression property: (property_identifier) @ref))
(new_expression constructor: (identifier) @ref)
(extends_clause value: (identifier) @ref)
(implements_clause (type_identifier) @ref)
(import_specifier name: (identifier) @ref)
(type_identifier) @ref
