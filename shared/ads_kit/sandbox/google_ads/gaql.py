"""GAQL syntax: the query text to a `Query`, or the QueryError Google answers (reference §2.1).

```
Query            -> SelectClause FromClause? WhereClause? OrderByClause? LimitClause? ParametersClause?
WhereClause      -> WHERE Condition (AND Condition)*          # AND only, no OR, no parentheses
Condition        -> FieldName IS [NOT] NULL | FieldName BETWEEN Value AND Value | FieldName Operator Value
Operator         -> = != > >= < <= [NOT] IN | [NOT] LIKE | CONTAINS ANY|ALL|NONE | DURING | [NOT] REGEXP_MATCH
```

Only syntax lives here; what the names mean (fields, resources, types) is `validate`'s business.
Keywords are case-insensitive; field names start with a lowercase letter, enum constants and
DURING functions are upper-case bare words. Error messages are the real ones where a fixture shows
them (``Error in WHERE clause: invalid value =.``: error_400_query_error_bad_value_real.json);
elsewhere the library's description of the error code, with the offending text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ads_kit.sandbox.google_ads.failures import ApiFailure, query_error

KEYWORDS = frozenset(
    {
        *("SELECT", "FROM", "WHERE", "AND", "ORDER", "BY", "ASC", "DESC", "LIMIT", "PARAMETERS"),
        *("IS", "NOT", "NULL", "IN", "LIKE", "CONTAINS", "ANY", "ALL", "NONE", "DURING", "BETWEEN"),
        "REGEXP_MATCH",
    }
)
FIELD_NAME = re.compile(r"[a-z][a-zA-Z0-9._]*")
RESOURCE_NAME = re.compile(r"[a-z][a-zA-Z0-9_]*")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?\d+(?:\.\d+)?(?![A-Za-z_]))
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op>!=|>=|<=|=|>|<|,|\(|\))
  | (?P<quote>['"])
  | (?P<other>\S)
    """,
    re.VERBOSE,
)
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
LIST_OPERATORS = frozenset({"IN", "NOT IN", "CONTAINS ANY", "CONTAINS ALL", "CONTAINS NONE"})


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # number | word | op | string | end
    text: str  # as written (a string's decoded value for kind "string")
    position: int


@dataclass(frozen=True, slots=True)
class Literal:
    kind: str  # string | number | word (enum constants, TRUE/FALSE, DURING functions)
    text: str


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    operator: str
    values: tuple[Literal, ...] = ()
    is_list: bool = False  # the value was written as a parenthesised list


@dataclass(frozen=True, slots=True)
class Ordering:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class Query:
    select: tuple[str, ...]
    resource: str | None
    where: tuple[Condition, ...] = ()
    order_by: tuple[Ordering, ...] = ()
    limit: int | None = None
    parameters: dict[str, str] = field(default_factory=dict)

    def fields(self) -> tuple[str, ...]:
        """Every field the query names, in the order written, once each."""
        names = [*self.select, *(c.field for c in self.where), *(o.field for o in self.order_by)]
        return tuple(dict.fromkeys(names))


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        assert match is not None  # `other` takes any character the other groups do not
        kind = match.lastgroup or ""
        if kind == "other" and not match.group().isascii():
            raise query_error(
                "BAD_SYMBOL", f"Non-ASCII symbol encountered outside of strings: {match.group()!r}."
            )
        if kind == "quote":
            value, position = _string(text, match.end(), match.group())
            tokens.append(Token("string", value, match.start()))
            continue
        if kind != "space":
            tokens.append(Token("op" if kind == "other" else kind, match.group(), match.start()))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _string(text: str, start: int, quote: str) -> tuple[str, int]:
    out: list[str] = []
    position = start
    while position < len(text):
        char = text[position]
        if char == quote:
            return "".join(out), position + 1
        if char in "\r\n":
            raise query_error(
                "PROHIBITED_NEWLINE_IN_STRING", "Query has a string containing a newline character."
            )
        if char == "\\":
            escaped = text[position + 1 : position + 2]
            if escaped not in _ESCAPES:
                raise query_error(
                    "BAD_ESCAPE_SEQUENCE", f"Query contains an invalid escape sequence: \\{escaped}."
                )
            out.append(_ESCAPES[escaped])
            position += 2
            continue
        out.append(char)
        position += 1
    raise query_error("STRING_NOT_TERMINATED", "Query contains unterminated string.")


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def keyword(self, *words: str) -> bool:
        """Whether the next tokens are these keywords (consumed if so)."""
        for offset, word in enumerate(words):
            token = self.tokens[min(self.index + offset, len(self.tokens) - 1)]
            if token.kind != "word" or token.text.upper() != word:
                return False
        self.index += len(words)
        return True

    def take(self) -> Token:
        token = self.token
        if token.kind != "end":
            self.index += 1
        return token

    def op(self, text: str) -> bool:
        if self.token.kind == "op" and self.token.text == text:
            self.index += 1
            return True
        return False

    def at_keyword(self) -> bool:
        return self.token.kind == "word" and self.token.text.upper() in KEYWORDS


def _unexpected(token: Token, clause: str) -> ApiFailure:
    if token.kind == "end":
        return query_error("UNEXPECTED_END_OF_QUERY", "Query is incomplete and cannot be parsed.")
    return query_error("UNEXPECTED_INPUT", f"Error in {clause} clause: unexpected input {token.text}.")


def parse(text: str, *, from_clause: str = "optional") -> Query:
    """The query, or ApiFailure with its QueryError. `from_clause`: ``required`` (GoogleAdsService),
    ``forbidden`` (GoogleAdsFieldService queries have none, reference §2.5) or ``optional``."""
    parser = _Parser(text)
    if not parser.keyword("SELECT"):
        raise query_error("EXPECTED_SELECT", "SELECT is missing at the beginning of query.")
    select = _field_list(parser)
    resource = None
    if parser.keyword("FROM"):
        if from_clause == "forbidden":
            raise query_error("UNEXPECTED_FROM_CLAUSE", "FROM clause cannot be specified in this query.")
        token = parser.take()
        if token.kind != "word" or not RESOURCE_NAME.fullmatch(token.text) or token.text.upper() in KEYWORDS:
            raise (
                _unexpected(token, "FROM")
                if token.kind == "end"
                else query_error(
                    "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE",
                    f"Invalid resource type in the FROM clause: '{token.text}'.",
                )
            )
        resource = token.text
    elif from_clause == "required":
        raise query_error("EXPECTED_FROM", "Missing FROM clause.")
    where: list[Condition] = []
    if parser.keyword("WHERE"):
        where.append(_condition(parser))
        while parser.keyword("AND"):
            where.append(_condition(parser))
    order_by: list[Ordering] = []
    if parser.keyword("ORDER"):
        if not parser.keyword("BY"):
            raise query_error("EXPECTED_BY", "Expecting ORDER BY to have BY.")
        order_by.append(_ordering(parser))
        while parser.op(","):
            order_by.append(_ordering(parser))
    limit = _limit(parser) if parser.keyword("LIMIT") else None
    parameters = _parameters(parser) if parser.keyword("PARAMETERS") else {}
    if parser.token.kind != "end":
        raise query_error("UNEXPECTED_INPUT", f"Query has an unexpected extra part: {parser.token.text}.")
    return Query(tuple(select), resource, tuple(where), tuple(order_by), limit, parameters)


def _field(parser: _Parser, clause: str) -> str:
    token = parser.token
    if token.kind != "word" or parser.at_keyword():
        raise _unexpected(token, clause)
    if not FIELD_NAME.fullmatch(token.text) or token.text.endswith(".") or ".." in token.text:
        raise query_error("BAD_FIELD_NAME", f"Field name is invalid: '{token.text}'.")
    parser.take()
    return token.text


def _field_list(parser: _Parser) -> list[str]:
    names = [_field(parser, "SELECT")]
    while parser.op(","):
        names.append(_field(parser, "SELECT"))
    return names


def _operator(parser: _Parser) -> str:
    for symbol in ("!=", ">=", "<=", "=", ">", "<"):
        if parser.op(symbol):
            return symbol
    for words in (
        ("IS", "NOT", "NULL"),
        ("IS", "NULL"),
        ("NOT", "IN"),
        ("NOT", "LIKE"),
        ("NOT", "REGEXP_MATCH"),
        ("CONTAINS", "ANY"),
        ("CONTAINS", "ALL"),
        ("CONTAINS", "NONE"),
        ("IN",),
        ("LIKE",),
        ("DURING",),
        ("BETWEEN",),
        ("REGEXP_MATCH",),
    ):
        if parser.keyword(*words):
            return " ".join(words)
    token = parser.token
    if token.kind == "end":
        raise _unexpected(token, "WHERE")
    raise query_error("BAD_OPERATOR", f"Error in WHERE clause: invalid operator {token.text}.")


def _value(parser: _Parser) -> Literal:
    token = parser.token
    if token.kind in ("string", "number") or (token.kind == "word" and not parser.at_keyword()):
        parser.take()
        return Literal("word" if token.kind == "word" else token.kind, token.text)
    if token.kind == "end":
        raise _unexpected(token, "WHERE")
    # The real wording for a value that is not one: "Error in WHERE clause: invalid value =."
    raise query_error("BAD_VALUE", f"Error in WHERE clause: invalid value {token.text}.")


def _condition(parser: _Parser) -> Condition:
    name = _field(parser, "WHERE")
    operator = _operator(parser)
    if operator in ("IS NULL", "IS NOT NULL"):
        return Condition(name, operator)
    if operator == "BETWEEN":
        low = _value(parser)
        if not parser.keyword("AND"):
            raise query_error("EXPECTED_AND", "Expected AND between values with BETWEEN operator.")
        if parser.token.kind == "end":
            raise query_error(
                "EXPECTED_VALUE_WITH_BETWEEN_OPERATOR", "Missing one or both values with BETWEEN operator."
            )
        return Condition(name, operator, (low, _value(parser)))
    if parser.op("("):
        values: list[Literal] = []
        if not parser.op(")"):
            values.append(_value(parser))
            while parser.op(","):
                values.append(_value(parser))
            if not parser.op(")"):
                raise _unexpected(parser.token, "WHERE")
        return Condition(name, operator, tuple(values), is_list=True)
    return Condition(name, operator, (_value(parser),))


def _ordering(parser: _Parser) -> Ordering:
    name = _field(parser, "ORDER BY")
    if parser.keyword("DESC"):
        return Ordering(name, True)
    parser.keyword("ASC")
    return Ordering(name)


def _limit(parser: _Parser) -> int:
    token = parser.take()
    if token.kind != "number" or not token.text.lstrip("-").isdigit():
        raise query_error("BAD_LIMIT_VALUE", f"Limit value is invalid: {token.text or 'nothing'}.")
    value = int(token.text)
    if value < 1:
        raise query_error("LIMIT_VALUE_TOO_LOW", f"The value passed to the limit clause is too low: {value}.")
    return value


def _parameters(parser: _Parser) -> dict[str, str]:
    parameters: dict[str, str] = {}
    while True:
        name = parser.take()
        if name.kind != "word":
            raise _unexpected(name, "PARAMETERS")
        if not parser.op("="):
            raise _unexpected(parser.token, "PARAMETERS")
        value = parser.take()
        if value.kind not in ("word", "string", "number"):
            raise _unexpected(value, "PARAMETERS")
        parameters[name.text] = value.text
        if not parser.op(","):
            return parameters


__all__ = ["LIST_OPERATORS", "Condition", "Literal", "Ordering", "Query", "parse", "tokenize"]
