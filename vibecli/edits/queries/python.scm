; Addressable definitions for vibecli. Each pattern captures the definition as
; @def.<kind> and its name as @name; @scope/@scope.name mark blocks that qualify
; the names inside them without being addressable themselves.
(function_definition name: (identifier) @name) @def.function
(class_definition name: (identifier) @name) @def.class
