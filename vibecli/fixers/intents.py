"""The requests ruff carries out exactly: each intent names the rules whose fixes do it and what
a request for it is about. Most intents are not listed sentence by sentence: `shapes` reads a
request as one of a few shapes any intent can take (*use* a target, *remove* a thing, *fix* a
problem), and an intent says only which targets, things and problems are its own; a few have
whole requests of their own ("sort the imports", "collapse the nested ifs").

Patterns are lower case (requests are matched lower-cased, with the typing module's capitalised
names spelt `typing.list`). A rule is listed only when ruff has a fix for it; some of those fixes
are unsafe (ruff applies them only with `unsafe_fixes`), and without them the fixer changes
nothing and the model takes over."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intent:
    name: str
    codes: tuple[str, ...]
    use: str = ""
    """What a request asks to use instead of what is there (a pattern, like the fields below)."""
    remove: str = ""
    """What a request asks to remove, after its adjectives ("redundant", "pointless")."""
    fix: str = ""
    """The problem a request asks to fix or clean up."""
    whole: str = ""
    """Whole requests of the intent's own."""
    adjective: bool = False
    """Removing `remove` needs an adjective: "remove the redundant parentheses", not "remove the parentheses"."""
    old: str = ""
    """What a *use* request may say it replaces ("instead of %", "switch the .format calls to"), searched
    for; a request that names something else ("f-strings instead of concatenation") is not this
    intent's. Empty: anything."""
    alone: bool = False
    """Whether the target alone is a request ("f-strings please", "plain super() here"); not for
    targets that read as statements or single words of code ("x is not y", "all")."""
    keys: tuple[str, ...] = ()
    """Words one of which every request of the intent holds: only those intents' patterns are
    compiled and tried, which keeps routing to a millisecond or two in a fresh process."""


def _intent(keys: str, name: str, codes: str, use: str = "", remove: str = "", fix: str = "",
            whole: tuple[str, ...] = (), adjective: bool = False, old: str = "", alone: bool = False) -> Intent:
    return Intent(name, tuple(codes.split()), use, remove, fix, "|".join(f"(?:{w})" for w in whole), adjective, old,
                  alone, tuple(keys.split()))


_F = r"f-?strings?|f strings?|f-string (?:formatting|interpolation|literals?)|formatted string literals?"
_GENERIC = r"typing\.(?:list|dict|tuple|set|frozenset|type|deque|defaultdict|ordereddict|counter|chainmap)(?:\[[^\]]*\]+)?"
_BUILTIN = r"(?:list|dict|tuple|set|frozenset|type|collections\.\w+)(?:\[[^\]]*\]+)?"
_OPTIONAL = r"typing\.(?:optional|union)(?:\[[^\]]*\]+)?"
_OS_ALIAS = r"ioerror|environmenterror|windowserror|socket\.error|select\.error|mmap\.error|os\.error"
_TIMEOUT_ALIAS = r"asyncio\.timeouterror|socket\.timeout"
_PARENS = r"paren(?:thes[ie]s|s)?|brackets|\(\)"
_AND = r"(?:,|/|,? and|,? or)"
_WHITESPACE = (r"(?:trailing|dangling) (?:whitespace|white space|spaces|blanks)(?: (?:at the end of|on) (?:the )?lines?)?|"
               r"(?:whitespace|white space|spaces|blanks) (?:at the end of|on) (?:the )?(?:lines?|blank lines|empty lines)")


def _some(item: str) -> str:
    """One or more of `item`, listed ("List, Dict and Tuple")."""
    return f"(?:{item})(?:{_AND} (?:{item}))*"


INTENTS = (
    _intent("ruff report complain flag warn find found says wants like points", "fix ruff", "", whole=(
        r"(?:fix|address|resolve|clean up|handle|deal with|sort out) (?:what|everything|all|all that|whatever|anything|"
        r"(?:all )?the (?:stuff|things|issues|problems)) (?:ruff|ruff check|the ruff check|it|the linter) (?:reports|reported|"
        r"complains about|is complaining about|flags|flagged|is flagging|finds|found|says|warns about|"
        r"is warning about|wants|points out|doesn't like|does not like|dislikes)",
        r"(?:fix|address|resolve|clean up|handle|deal with|sort out|silence) (?:the |all |all the |any |every )?"
        r"(?:remaining |outstanding |current )?ruff(?:'s)? (?:check )?(?:errors|warnings|findings|issues|violations|"
        r"complaints|problems|failures|diagnostics|reports|lint(?: errors| warnings| issues)?)",
        r"(?:fix|address|resolve|clean up) (?:the |all |all the )?(?:lint |linter |linting )?(?:errors|warnings|findings|"
        r"issues|violations|complaints|problems) (?:(?:from|reported by|flagged by|raised by|found by) ruff|(?:that )?ruff "
        r"(?:reports|reported|flags|flagged|finds|found|shows|raises|complains about))",
        r"(?:make|get) ruff (?:happy|pass|passing|green|clean|quiet|stop complaining)",
        r"(?:apply|run) (?:the )?ruff(?:'s)?(?: check)? (?:--fix|safe fix(?:es)?|auto-?fix(?:es|er)?|fix(?:es|er)?)",
        r"ruff(?: check)? --fix(?: (?:it|this|the file))?", r"auto-?fix (?:it |this |the lint )?with ruff")),
    _intent("import isort", "sort imports", "I001", whole=(
        r"(?:sort|order|reorder|re-order|organi[sz]e|reorgani[sz]e|isort|alphabeti[sz]e|arrange|group) (?:the |all |"
        r"all the |my |our )?imports?(?: statements?| block| section| lines)?(?: alphabetically| in (?:alphabetical |"
        r"the right |proper |the correct |the standard |isort )?order| properly| correctly| like isort(?: does)?| "
        r"(?:with|using) isort)?",
        r"(?:put|get) (?:the |all |all the )?imports? in (?:alphabetical |the right |proper |the correct |isort |sorted )?"
        r"order",
        r"(?:fix|correct|sort out|clean up) (?:the )?(?:import (?:order|ordering|sorting|sort order)|order(?:ing)? of "
        r"(?:the )?imports|unsorted imports|imports? order)",
        r"(?:run )?isort(?: (?:on )?(?:it|this|the file|this file|the module))?")),
    _intent("import", "clean imports", "F401 I001", whole=(
        r"(?:clean up|tidy(?: up)?|sort out|neaten(?: up)?) (?:the |all |all the |my |our )?imports?(?: section| block)?",)),
    _intent("import", "unused imports", "F401",
            remove=r"unused imports?(?: statements?)?|imports? (?:that are |which are |that's |we're |we are )?(?:not|never|"
                   r"no longer) used|imports? (?:that aren't|which aren't|we don't) used?|imports? (?:nobody|no one|"
                   r"nothing) uses|dead imports?",
            fix=r"unused imports?(?: warnings?)?"),
    _intent("import", "duplicate imports", "F811", remove=r"(?:duplicate|duplicated|repeated|double|doubled) imports?"),
    _intent("import", "split imports", "E401", whole=(
        r"(?:split|break(?: up)?|separate) (?:the |all the )?(?:multiple |combined |comma-separated )?imports? "
        r"(?:onto|into|on|to) (?:separate|individual|their own|multiple|different) lines",
        r"(?:put )?one import per line", r"put (?:each|every) import on (?:its own|a separate|a new|a single) line")),
    _intent("string", "f-strings", "UP031 UP032", alone=True, old=r"%|format|printf|interpolat",
            use=rf"(?:{_F})(?: for (?:the |all )?(?:string )?(?:formatting|interpolation))?",
            whole=(r"moderni[sz]e (?:the )?string formatting",)),
    _intent("prefix string", "f prefix", "F541",
            remove=r"f[- ]?prefix(?:es)?(?: (?:from|on) (?:the )?(?:strings|f-?strings)(?: (?:without|with no) (?:any )?"
                   r"placeholders)?)?|f-?strings? (?:without|with no|that have no) (?:any )?placeholders",
            fix=r"f-?strings? (?:without|with no|missing|lacking|that have no) (?:any )?placeholders"),
    _intent("comprehension", "comprehension", "PERF401 C400 C401 C402 C403 C404 C417", alone=True, old=r"loop|\bfor\b|map|filter|append|list\(|set\(|dict\(|generator|lambda",
            use=r"(?:(?:list|set|dict|dictionary|generator) )?comprehensions?(?: (?:expression|syntax))?"),
    _intent("call cast wrapper comprehension", "unnecessary calls", "C400 C401 C402 C403 C404 C405 C406 C408 C409 C410 C411 C413 C414 C416 C418 C419",
            remove=r"(?:(?:(?:list|set|tuple|dict|sorted|reversed|generator)(?:\(\))?|nested) (?:calls?|wrappers?|casts?)|"
                   r"comprehensions?|list comprehensions?|casts?|calls? to (?:list|set|tuple|sorted|dict)(?:\(\))?)"
                   r"(?: (?:inside|around|within|in) (?:the )?(?:sorted|set|list|tuple|any|all|sum|min|max)(?:\(\))?"
                   r"(?: calls?)?)?",
            adjective=True),
    _intent("literal {} []", "collection literals", "C408 C405 C406 C409 C410 C418", alone=True, old=r"dict|list|tuple|set|call|constructor|\(\)",
            use=r"(?:dict|list|tuple|collection|empty|set)(?:(?:,| and| or|/) (?:dict|list|tuple))* literals?|literal "
                r"syntax|\{\}(?:(?: and|,|/) \[\])?|\[\](?:(?: and|,|/) \{\})?"),
    _intent("ternary conditional if one-liner", "ternary", "SIM108", old=r"\bif\b|else|branch",
            use=r"(?:ternary|ternary operator|ternary expression|conditional expression|one-line if|one-liner|inline if|"
                r"if expression|if-expression)(?: (?:operator|expression))?"),
    _intent("if condition", "nested ifs", "SIM102",
            fix=r"nested ifs?(?: statements)?|collapsible ifs?",
            whole=(r"(?:collapse|merge|combine|flatten|join|fold|squash|unnest|un-nest) (?:the |these |those |this )?"
                   r"(?:(?:two|nested|inner|outer|collapsible) )*(?:if|ifs|if statements?|if blocks?|if conditions?|"
                   r"conditions?|conditionals?)(?: (?:into|to) (?:one|a single)(?: if| condition| statement)?)?"
                   r"(?: with and)?",)),
    _intent("elif", "elif", "PLR5501", old=r"else|\bif\b|nest", use=r"elif(?: (?:statements?|branch(?:es)?))?",
            whole=(r"(?:collapse|merge|combine|turn|convert|fold) (?:the )?else(?:[:-]? ?| followed by (?:an? )?|/)if"
                   r"(?: blocks?| statements?)? (?:into|to) (?:an? )?elif",)),
    _intent("with", "nested with", "SIM117", old=r"with|nest", use=r"(?:a )?single with(?: statement)?(?: for (?:both|all))?",
            whole=(r"(?:combine|merge|collapse|join|flatten) (?:the )?(?:nested |multiple )?with(?: statements?| blocks?|"
                   r" context managers?)?(?: into (?:one|a single)(?: with(?: statement)?)?)?",)),
    _intent("yoda constant literal", "yoda", "SIM300", fix=r"yoda(?: (?:conditions?|comparisons?|style(?: comparisons)?|expressions?))?",
            whole=(r"put (?:the )?(?:constants?|literals?) on the right(?: side)?(?: of (?:the )?comparisons?)?",)),
    _intent("simplif negation not", "simplify condition", "SIM101 SIM102 SIM103 SIM108 SIM109 SIM114 SIM201 SIM202 SIM208 SIM210 SIM211 "
            "SIM212 SIM220 SIM221 SIM222 SIM223 PLR1714",
            fix=r"double negations?|not not",
            whole=(r"simplify (?:the |this |these |all the )?(?:conditions?|conditionals?|boolean (?:expressions?|logic|"
                   r"conditions?)|booleans?|if(?: statements?| conditions?| checks?)?|ifs|if[- /]else|comparisons?|"
                   r"(?:boolean )?checks?|logic)",)),
    _intent("return", "return condition", "SIM103", whole=(
        r"return (?:the )?(?:condition|boolean|bool|comparison|check|expression|test)(?: result)? directly(?: instead "
        r"(?:of (?:the )?(?:if(?:[/ -]else)?|return true(?:/| or )false))?)?",)),
    _intent("return", "return directly", "RET504",
            remove=r"(?:temp(?:orary)? )?(?:variable|assignment)s? (?:right |just )?before (?:the )?return",
            whole=(r"return (?:the value|the result|it|that|the expression) directly(?: instead of (?:assigning|storing) "
                   r"(?:it )?(?:to|in) a (?:temp(?:orary)? )?variable(?: first)?)?",)),
    _intent("none", "is None", "E711", old=r"==|!=|equal|none",
            use=r"is(?: not)? none(?: (?:checks?|comparisons?))?(?:(?: and|,|/) is not none)?(?: for (?:the )?(?:none "
                r"(?:checks?|comparisons?)|comparisons? (?:to|with) none))?",
            fix=r"(?:[\w.]+ ?)?[!=]= ?none(?: (?:comparisons?|checks?|tests?))?|(?:comparisons?|checks?) (?:to|with|against) "
                r"none(?: using ==)?|none comparisons?",
            whole=(r"compare (?:to|with|against) none (?:using|with) is",)),
    _intent("true false truthiness boolean bool if", "True/False comparisons", "E712", old=r"true|false|==|!=|bool",
            use=r"(?:plain |bare |direct )?truthiness(?: checks?)?|if (?:not )?[\w.]+:?",
            fix=r"(?:if )?(?:[\w.]+ ?)?[!=]= ?(?:true|false)(?: (?:comparisons?|checks?|tests?|conditions?))?|(?:comparisons?|"
                r"checks?|tests?) (?:to|with|against|for) (?:true|false|true (?:or|and|/) false|true/false|booleans?|bool "
                r"literals?)|(?:true|false|true/false|boolean) comparisons?"),
    _intent("not", "not in", "E713 E714",
            use=r"not in|is not|[\w.]+ not in [\w.]+|[\w.]+ is not [\w.]+|not in (?:and|/) is not",
            fix=r"not [\w.]+ (?:in|is) [\w.]+(?: (?:checks?|tests?|conditions?|comparisons?))?"),
    _intent("== literal string number int constant", "is literal", "F632", old=r"\bis\b|identity",
            use=r"==(?: and !=)?(?: (?:for|with|to compare(?: with)?) (?:the )?(?:literals?|strings?|numbers?|ints?|"
                r"constants?)(?: comparisons)?)?",
            fix=r"is (?:comparisons?|checks?) (?:with|to|against) (?:literals?|strings?|numbers?|ints?|constants?)|"
                r"(?:literal|string) is comparisons?"),
    _intent("!=", "negated comparison", "SIM201 SIM202", old=r"not|==", use=r"!=|== (?:and|/) !="),
    _intent("variable assignment", "unused variables", "F841",
            remove=r"unused (?:local )?variables?|(?:local )?variables? (?:that are |which are )?(?:not|never) used|dead "
                   r"(?:variables?|assignments?)"),
    _intent("get", "dict.get", "SIM401", old=r"\bif\b|else|try|except|key|\bin\b|\[", use=r"(?:dict\.|\.)?get(?:\(\))?(?: with a default)?"),
    _intent("none", "get default None", "SIM910",
            remove=r"none (?:default|argument|arg|default argument)s? (?:from|in|of|to) (?:the )?(?:dict\.|\.)?get(?:\(\))?"
                   r"(?: calls?)?|, none from (?:the )?\.?get(?:\(\))?(?: calls?)?"),
    _intent("any all", "any/all", "SIM110", old=r"loop|\bfor\b|flag|break", use=r"(?:any|all)(?:\(\))?(?: (?:or|and|/) (?:any|all)(?:\(\))?)?"),
    _intent("suppress", "contextlib.suppress", "SIM105", old=r"try|except|pass", use=r"(?:contextlib\.)?suppress(?:\(\))?"),
    _intent("generic type hint annotation typing.", "builtin generics", "UP006 UP035", alone=True, old=r"typing|list|dict|tuple|set|type|capital|upper",
            use=r"(?:builtin|built-in|modern|pep ?585|lowercase|native|standard) (?:generic )?(?:types?|generics|collection "
                r"types|type hints|hints|annotations|generic types|container types)",
            fix=rf"(?:deprecated |old |legacy )?typing (?:aliases|generics|imports|collection (?:types|aliases))|"
                rf"{_some(_GENERIC)}(?: (?:from typing|annotations|hints|imports))?",
            whole=(rf"(?:use|prefer|switch to) (?:lowercase |builtin |built-in )?{_some(_BUILTIN)} (?:instead of|rather than|"
                   rf"over|not) {_some(_GENERIC)}(?: from typing| etc)?",
                   rf"(?:lowercase |builtin |built-in )?{_some(_BUILTIN)} (?:instead of|rather than) {_some(_GENERIC)}",
                   rf"(?:replace|swap|change|convert|turn|switch) {_some(_GENERIC)}(?: from typing)? (?:with|to|into|for|->) "
                   rf"(?:lowercase |builtin |built-in )?{_some(_BUILTIN)}",
                   rf"{_some(_GENERIC)} (?:->|=>) {_some(_BUILTIN)}",
                   rf"stop (?:using|importing) {_some(_GENERIC)}(?: from typing)?")),
    _intent("| union optional pep pipe typing.", "union syntax", "UP007 UP045", alone=True, old=r"optional|union|typing",
            use=r"(?:x \| none|x \| y|[\w.\[\]]+ ?\| ?none|\| none|\|(?: (?:union )?(?:syntax|operator|unions?))?|pep ?604"
                r"(?: unions?| syntax| style| annotations)?|(?:new|modern|pep ?604|pipe|bar)(?:-style)? (?:union|optional)"
                r"(?: syntax| types?| annotations?)?|union operators?|pipe (?:syntax|operator|unions?))(?: syntax)?"
                r"(?: for (?:the |all )?(?:optional |union |nullable )?(?:optionals|unions|args|arguments|parameters|"
                r"params|types?|type hints|hints|annotations|values))?",
            whole=(rf"stop (?:using|importing) {_some(_OPTIONAL)}(?: from typing)?",)),
    _intent("super", "super()", "UP008", alone=True, old=r"super|class|self|argument|args|explicit|python ?2|old",
            use=r"(?:(?:plain|bare|zero-arg(?:ument)?|argument-less|argumentless|arg-less|no-arg(?:ument)?|simple|modern|"
                r"short|(?:python ?3|py3|modern|new)[- ]style|python ?3|py3|new-style|the (?:short|modern|python 3|py3|"
                r"zero-argument) form of) )?super(?:\(\))?"
                r"(?: calls?)?(?: (?:without|with no) (?:the )?(?:arguments|args|parameters|params|class and self|"
                r"explicit arguments))?",
            remove=r"(?:arguments?|args|parameters|params|class and self|explicit arguments) (?:to|from|of|in|passed to) "
                   r"(?:the )?super(?:\(\))?(?: calls?)?",
            fix=r"(?:old[- ]style |python ?2[- ]style |explicit |two-arg(?:ument)? )?super(?:\([^)]*\))?(?: calls?)?"),
    _intent("object", "object base", "UP004",
            remove=r"(?:inheritance from |base class |base )?object(?: base(?: class)?| inheritance| from the (?:class )?"
                   r"bases?| parent| superclass)?|\(object\)(?: base)?",
            whole=(r"(?:stop|no need to|don't|do not) inherit(?:ing)? (?:explicitly )?from object",)),
    _intent("upgrade moderni", "pyupgrade", "UP", whole=(
        r"(?:upgrade|modernize|modernise) (?:the )?(?:syntax|code|python(?: syntax)?|idioms)(?: to (?:modern |newer )?"
        r"(?:python ?3(?:\.\d+)?|py3\d*|3\.\d+)(?:\+| syntax)?)?",
        r"(?:run )?pyupgrade(?: (?:on )?(?:it|this|the file))?", r"moderni[sz]e (?:it|this|the file|this file|this module)")),
    _intent("whitespace white spaces blanks", "trailing whitespace", "W291 W293",
            remove=_WHITESPACE, fix=_WHITESPACE),
    _intent("newline line", "final newline", "W292", fix=r"missing (?:final )?newline(?: at (?:the )?end of (?:the )?file)?", whole=(
        r"add (?:a |the )?(?:missing |final |trailing )?(?:newline|line break|new line) (?:at|to) (?:the )?end of "
        r"(?:the )?file", r"end the file with a newline")),
    _intent("semicolon", "semicolons", "E703", remove=r"(?:trailing )?semicolons?(?: at the end of (?:the )?lines?)?"),
    _intent("pass placeholder no-op", "unnecessary pass", "PIE790",
            remove=r"(?:placeholder |no-op )?pass(?: statements?| placeholders?)?|(?:placeholder|no-op) (?:pass(?:es)?|"
                   r"statements?)"),
    _intent("else elif", "else after return", "RET505 RET506 RET507 RET508",
            remove=r"(?:else|elif)(?: (?:branch|block|clause|statement))?s?(?: (?:after|following|that follows|behind) "
                   r"(?:a |an |the )?(?:return|raise|continue|break)(?: statements?)?)?",
            fix=r"else (?:after|following) (?:a |an |the )?(?:return|raise|continue|break)|superfluous else",
            adjective=True,
            whole=(r"(?:remove|drop|delete|get rid of) (?:the )?(?:else|elif)(?: (?:branch|block|clause))?s? (?:after|"
                   r"following|that follows) (?:a |an |the )?(?:return|raise|continue|break)(?: statements?)?",
                   r"(?:dedent|de-indent|unindent|flatten) (?:the )?else(?: (?:branch|block))?(?: after (?:the )?return)?")),
    _intent("return", "useless return", "PLR1711 RET501",
            remove=r"return(?: none)?(?: statements?)?(?: at the end(?: of (?:the )?(?:function|method))?)?",
            adjective=True, whole=(r"(?:remove|drop|delete) (?:the )?return none(?: statements?)?",)),
    _intent("else", "else on loop", "PLW0120",
            remove=r"else (?:on|after|of) (?:the )?(?:for |while )?loops?|(?:for|while|loop)[- ]else(?: clauses?)?"),
    _intent("paren bracket ()", "raise parentheses", "RSE102",
            remove=rf"(?:empty )?(?:{_PARENS}) (?:after|on|in|from|of) (?:the |a |an )?(?:raised?(?: statements?| [\w.]+(?:\(\))?)?|"
                   r"exceptions?(?: (?:class(?:es)?|names?))?|raised exceptions?|exception classes)(?: (?:in|of|after) "
                   r"(?:the )?raise(?: statements?)?)?"),
    _intent("paren bracket ()", "class parentheses", "UP039",
            remove=rf"(?:empty )?(?:{_PARENS}) (?:after|from|in|on) (?:the )?class(?: (?:names?|definitions?|statements?|"
                   r"declarations?))?"),
    _intent("cache", "lru_cache", "UP033 UP011", old=r"lru_cache",
            use=r"(?:functools\.cache|@(?:functools\.)?cache)(?:\(\))?",
            remove=rf"(?:empty )?(?:{_PARENS}) (?:from|after|on) (?:the )?@?(?:functools\.)?lru_cache(?: decorators?)?",
            whole=(r"(?:use|switch to) cache (?:instead of|rather than) @?(?:functools\.)?lru_cache\S*",)),
    _intent("paren bracket ()", "redundant parentheses", "UP034 RSE102 UP039", remove=rf"(?:{_PARENS})", adjective=True),
    _intent("error alias", "OSError aliases", "UP024",
            fix=rf"(?:deprecated |old |legacy )?(?:oserror |ioerror )?aliases?(?: (?:of|for) oserror)?|{_some(_OS_ALIAS)}"
                rf"(?: aliases?| usages?| uses?)?",
            whole=(rf"(?:use|prefer|switch to) oserror (?:instead of|rather than|over|not) {_some(_OS_ALIAS)}",
                   rf"(?:replace|swap|change|convert|switch) {_some(_OS_ALIAS)} (?:with|to|for|->) oserror",
                   rf"oserror instead of {_some(_OS_ALIAS)}", rf"{_some(_OS_ALIAS)} -> oserror")),
    _intent("timeout", "TimeoutError aliases", "UP041", whole=(
        rf"(?:use|prefer|switch to) (?:the )?(?:builtin |built-in )?timeouterror (?:instead of|rather than|over|not) "
        rf"{_some(_TIMEOUT_ALIAS)}",
        rf"(?:replace|swap|change|convert|switch) {_some(_TIMEOUT_ALIAS)} (?:with|to|for|->) (?:the )?(?:builtin )?"
        r"timeouterror")),
    _intent("prefix", "unicode prefix", "UP025",
            remove=r"u(?:nicode)?(?: string)? prefix(?:es)?(?: (?:from|on) (?:the )?(?:strings?|string literals?))?"),
    _intent("coding", "coding declaration", "UP009",
            remove=r"(?:utf-?8 )?(?:coding|encoding)(?: (?:declarations?|comments?|lines?|cookies?|headers?|pragmas?|magic "
                   r"comments?))|(?:#? ?-\*- )?(?:en)?coding[:=] ?utf-?8(?: -\*-)?(?: (?:lines?|comments?|declarations?|"
                   r"headers?))?"),
    _intent("future", "__future__ imports", "UP010", remove=r"(?:from )?__future__(?: imports?| statements?)?|future imports?"),
    _intent("mode", "open modes", "UP015",
            remove=r"(?:r |rt |read |default |open )?(?:mode|modes|mode arguments?|r arguments?)(?: arguments?)? (?:from|in|"
                   r"of|to|passed to) (?:the )?open(?:\(\))?(?: calls?)?|open modes"),
    _intent("encode", "encode utf-8", "UP012",
            remove=r"(?:utf-?8 |encoding )?(?:arguments?|args|encodings?)(?: utf-?8)? (?:from|in|of|to|passed to) (?:the )?"
                   r"(?:str\.)?\.?encode(?:\(\))?(?: calls?)?|utf-?8 (?:from|in) (?:the )?\.?encode(?:\(\))?(?: calls?)?"),
    _intent("quot", "quoted annotations", "UP037",
            remove=r"(?:quotes|quotation marks|string quotes) (?:from|around|on|in) (?:the )?(?:type )?(?:annotations|hints|"
                   r"types|type hints)",
            whole=(r"unquote (?:the |all the )?(?:type )?(?:annotations|hints|type hints)",)),
    _intent("utc", "datetime.UTC", "UP017", old=r"utc|timezone", use=r"datetime\.utc"),
    _intent("mock", "unittest.mock", "UP026", old=r"mock", use=r"unittest\.mock"),
    _intent("assert alias", "unittest aliases", "UP005", old=r"assert",
            use=r"assert(?:equal|notequal|true|false|raisesregex|regex|almostequal)",
            fix=r"(?:deprecated |old )?(?:unittest )?(?:aliases|assert aliases|assertion aliases|assert(?:ion)? methods|"
                r"assertequals|assertequals calls)"),
    _intent("assert", "unittest assertions", "PT009", old=r"assert|self\.", use=r"(?:plain|bare|pytest-style|pytest|python) asserts?(?: statements?)?"),
    _intent("escape", "escape sequences", "W605",
            fix=r"(?:invalid|bad|deprecated|unsupported|unrecognized|unknown) escape(?: sequences?|s)?(?: in (?:the )?"
                r"(?:strings|regexes|regex patterns|patterns))?"),
    _intent("range", "range start", "PIE808",
            remove=r"(?:0|zero|start)(?: (?:start|argument|arg|start argument|first argument))? (?:from|in|of) (?:the )?"
                   r"range(?:\(\))?(?: calls?)?"),
    _intent("attr", "getattr constant", "B009 B010", old=r"getattr|setattr",
            use=r"(?:plain |normal |regular |direct |dotted )?attribute access(?: and assignment)?",
            fix=r"(?:getattr|setattr)(?:\(\))?(?: (?:and|/) (?:getattr|setattr)(?:\(\))?)?(?: calls?)? with (?:a )?constant"
                r"(?: (?:attribute )?names?| attributes?| strings?)?"),
    _intent("exception", "logging.exception", "TRY400", old=r"error|exc_info|log",
            use=r"(?:(?:logging|logger|log|self\.logger|self\.log|_?logger|_?log|logging\.getlogger\(\S*\))\.exception|"
                r"\.exception)(?:\(\))?(?: (?:in|inside) (?:the )?except(?: blocks?| clauses?)?)?"),
    _intent("raise", "bare raise", "TRY201", old=r"raise|exc|\be\b|err", use=r"(?:a )?bare raise(?: statements?)?"),
    _intent("conversion !r !s !a", "conversion flags", "RUF010", old=r"str|repr|ascii",
            use=r"(?:conversion flags?|![rsa](?:(?: and |/|, ?)![rsa])*)(?: in (?:the )?f-strings)?"),
    _intent("removeprefix removesuffix", "removeprefix", "FURB188", old=r"slic|startswith|endswith|\[|len",
            use=r"(?:str\.)?remove(?:prefix|suffix)(?:\(\))?(?:(?: and |/|, ?)(?:str\.)?remove(?:prefix|suffix)(?:\(\))?)?"),
    _intent("comma", "trailing commas", "COM812", whole=(
        r"add (?:the |all the )?(?:missing |magic )*trailing commas?(?: (?:where|wherever) (?:they're |they are )?missing)?",
        r"add (?:the )?magic (?:trailing )?commas?")),
    _intent("concatenat adjacent consecutive", "implicit concatenation", "ISC001", whole=(
        r"(?:merge|join|combine|concatenate) (?:the )?(?:implicitly concatenated|adjacent|implicit(?:ly)? concatenated|"
        r"consecutive) (?:string literals|strings)(?: on (?:the same|one) line)?",)),
    _intent("lambda", "lambda assignment", "E731", whole=(
        r"(?:replace|convert|turn|rewrite) (?:the )?(?:lambda assignments?|assigned lambdas?|lambdas? assigned to (?:a )?"
        r"(?:names?|variables?)) (?:with|to|into|as) (?:a |proper |regular )?(?:def|defs|functions?|def statements?)",
        r"use (?:a )?def (?:instead of|rather than) (?:assigning )?(?:a )?lambdas?")),
    _intent("membership == equality repeated chained multiple", "membership test", "PLR1714", whole=(
        r"(?:use|switch to) (?:an? )?(?:in|membership)(?: (?:check|test))? (?:instead of|for) (?:the )?(?:repeated|"
        r"multiple|chained) (?:==|equality|or) (?:comparisons|checks)",
        r"merge (?:the )?(?:repeated |multiple |chained )?(?:==|equality) (?:comparisons|checks) into (?:an? )?"
        r"(?:in|membership) (?:check|test)")),
    _intent("print", "print", "T201 T203", remove=r"p?print(?:\(\))? (?:statements|calls)|p?prints"),
    _intent("keys", "keys()", "SIM118",
            remove=r"\.?keys\(\)(?: calls?)?(?: (?:from|in) (?:the )?(?:in |membership )?(?:checks?|tests?))?"),
)
