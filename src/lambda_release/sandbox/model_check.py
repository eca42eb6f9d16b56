"""An answer's body checked against its botocore shape: required members, types, enums, and no
member the model lacks.

Two readers of the same rules: `check_value` walks decoded JSON or CBOR (native types),
`check_xml` walks an XML element (every value is text, names come from the model's
`locationName` and `flattened` traits, as botocore's XML parsers read them). A problem is one
line: the member's path, then what is wrong.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.utils import parse_timestamp

# Members bound to the HTTP envelope, not to the body (rest protocols).
ENVELOPE = frozenset({"header", "headers", "statusCode", "querystring", "uri"})


def body_members(shape: StructureShape) -> dict[str, Shape]:
    return {
        name: member
        for name, member in shape.members.items()
        if member.serialization.get("location") not in ENVELOPE
    }


# Values AWS sends beyond a shape's enum in the model: shape name -> the values (strict.py
# names them per service, each with its source).
Widened = Mapping[str, frozenset[str]]
NOTHING_WIDENED: Widened = {}


def check_value(
    shape: Shape, value: Any, path: str, problems: list[str], wide: Widened = NOTHING_WIDENED
) -> None:
    """Decoded JSON or CBOR `value` against `shape`."""
    kind = shape.type_name
    if kind == "structure":
        _check_dict_structure(shape, value, path, problems, wide)  # type: ignore[arg-type]
    elif kind == "list":
        assert isinstance(shape, ListShape)
        if not isinstance(value, list):
            problems.append(f"{path}: a list in the model, got {type(value).__name__}")
            return
        for i, item in enumerate(value):
            check_value(shape.member, item, f"{path}[{i}]", problems, wide)
    elif kind == "map":
        assert isinstance(shape, MapShape)
        if not isinstance(value, dict):
            problems.append(f"{path}: a map in the model, got {type(value).__name__}")
            return
        for key, item in value.items():
            check_value(shape.key, key, f"{path}.<key>", problems, wide)
            check_value(shape.value, item, f"{path}[{key!r}]", problems, wide)
    else:
        problem = scalar_problem(shape, value, from_text=False, wide=wide)
        if problem:
            problems.append(f"{path}: {problem}")


def _check_dict_structure(
    shape: StructureShape, value: Any, path: str, problems: list[str], wide: Widened
) -> None:
    # A member's key on the wire is its locationName where it has one (API Gateway's `item`).
    members = {str(m.serialization.get("name", n)): (n, m) for n, m in body_members(shape).items()}
    if not isinstance(value, dict):
        problems.append(f"{path}: a structure in the model, got {type(value).__name__}")
        return
    present = {members[k][0] for k, v in value.items() if k in members and v is not None}
    for name in shape.required_members:
        if name not in present and any(name == n for n, _ in members.values()):
            problems.append(f"{path}.{name}: required by the model, missing")
    for key, item in value.items():
        found = members.get(key)
        if found is None:
            if key != "__type":  # a union's or an error's own tag, not a member
                problems.append(f"{path}.{key}: not a member of {shape.name} in the model")
            continue
        if item is None:
            continue  # JSON null: botocore reads it as absent
        check_value(found[1], item, f"{path}.{found[0]}", problems, wide)


def scalar_problem(
    shape: Shape, value: Any, from_text: bool, wide: Widened = NOTHING_WIDENED
) -> str:
    """What is wrong with a scalar, or ''. `from_text`: an XML or header value (always text)."""
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            return f"a string in the model, got {type(value).__name__}"
        enum = getattr(shape, "enum", None)  # StringShape's
        if enum and value not in enum and value not in wide.get(shape.name, ()):
            return f"{value!r} is not one of the model's values {sorted(enum)}"
        return ""
    check = _SCALARS.get(kind)
    return check(value, from_text) if check is not None else ""


def _boolean_problem(value: Any, from_text: bool) -> str:
    ok = value in ("true", "false") if from_text else isinstance(value, bool)
    return "" if ok else f"a boolean in the model, got {value!r}"


def _integer_problem(value: Any, from_text: bool) -> str:
    if from_text:
        try:
            int(value)
        except (TypeError, ValueError):
            return f"an integer in the model, got {value!r}"
        return ""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"an integer in the model, got {value!r}"
    return ""


def _number_problem(value: Any, from_text: bool) -> str:
    if from_text:
        try:
            float(value)
        except (TypeError, ValueError):
            return f"a number in the model, got {value!r}"
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"a number in the model, got {value!r}"
    return ""


def _timestamp_problem(value: Any, _from_text: bool) -> str:
    if isinstance(value, datetime.datetime):  # CBOR's tagged epoch
        return ""
    if isinstance(value, bool):
        return f"a timestamp in the model, got {value!r}"
    try:
        parse_timestamp(value)
    except (TypeError, ValueError):
        return f"a timestamp in the model, got {value!r}"
    return ""


def _blob_problem(value: Any, _from_text: bool) -> str:
    if isinstance(value, (bytes, bytearray)):
        return ""
    if not isinstance(value, str):
        return f"a blob (base64) in the model, got {type(value).__name__}"
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "a blob (base64) in the model, got text that is not base64"
    return ""


_SCALARS: dict[str, Callable[[Any, bool], str]] = {
    "integer": _integer_problem,
    "long": _integer_problem,
    "float": _number_problem,
    "double": _number_problem,
    "boolean": _boolean_problem,
    "timestamp": _timestamp_problem,
    "blob": _blob_problem,
}


# XML ----------------------------------------------------------------------------------------


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xml_name(name: str, member: Shape) -> str:
    """The element name of member `name` (its `locationName`, as botocore reads it)."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        assert isinstance(member, ListShape)
        return str(
            member.member.serialization.get("name") or member.serialization.get("name") or name
        )
    return str(member.serialization.get("name") or name)


def check_xml(
    shape: Shape,
    element: ET.Element,
    path: str,
    problems: list[str],
    wide: Widened = NOTHING_WIDENED,
) -> None:
    """XML `element` against `shape`."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        _check_xml_structure(shape, element, path, problems, wide)
    elif kind == "list":
        assert isinstance(shape, ListShape)
        item_name = str(shape.member.serialization.get("name") or "member")
        for i, child in enumerate(element):
            if local_name(child.tag) != item_name:
                problems.append(f"{path}: <{local_name(child.tag)}> in a list of <{item_name}>")
                continue
            check_xml(shape.member, child, f"{path}[{i}]", problems, wide)
    elif kind == "map":
        assert isinstance(shape, MapShape)
        for child in element:
            _check_xml_entry(shape, child, path, problems, wide)
    else:
        problem = scalar_problem(shape, element.text or "", from_text=True, wide=wide)
        if problem:
            problems.append(f"{path}: {problem}")


def _check_xml_structure(
    shape: StructureShape, element: ET.Element, path: str, problems: list[str], wide: Widened
) -> None:
    members = body_members(shape)
    by_element = {xml_name(name, member): (name, member) for name, member in members.items()}
    seen: dict[str, int] = {}
    for child in element:
        tag = local_name(child.tag)
        found = by_element.get(tag)
        if found is None:
            problems.append(f"{path}.{tag}: not a member of {shape.name} in the model")
            continue
        name, member = found
        index = seen.get(name, 0)
        seen[name] = index + 1
        if member.type_name == "list" and member.serialization.get("flattened"):
            assert isinstance(member, ListShape)
            check_xml(member.member, child, f"{path}.{name}[{index}]", problems, wide)
        elif member.type_name == "map" and member.serialization.get("flattened"):
            assert isinstance(member, MapShape)
            _check_xml_entry(member, child, f"{path}.{name}", problems, wide, entry=tag)
        else:
            if index:
                problems.append(f"{path}.{name}: given {index + 1} times")
            check_xml(member, child, f"{path}.{name}", problems, wide)
    for name in shape.required_members:
        if name in members and name not in seen:
            problems.append(f"{path}.{name}: required by the model, missing")


def _check_xml_entry(
    shape: MapShape,
    item: ET.Element,
    path: str,
    problems: list[str],
    wide: Widened,
    entry: str = "entry",
) -> None:
    key_name = str(shape.key.serialization.get("name") or "key")
    value_name = str(shape.value.serialization.get("name") or "value")
    if local_name(item.tag) != entry:
        problems.append(f"{path}: <{local_name(item.tag)}> in a map of <{entry}>")
        return
    for child in item:
        tag = local_name(child.tag)
        if tag == key_name:
            check_xml(shape.key, child, f"{path}.<key>", problems, wide)
        elif tag == value_name:
            check_xml(shape.value, child, f"{path}.<value>", problems, wide)
        else:
            problems.append(f"{path}: <{tag}> in a map entry")
