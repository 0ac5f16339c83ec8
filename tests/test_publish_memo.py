"""What a process that builds again makes of the objects it keeps (publish/memo.py): once per object."""

from __future__ import annotations

from zaitun.publish.memo import ByIdentity


class Thing:
    def __init__(self, name: str) -> None:
        self.name = name


def _counting(made: list[str]):
    def make(thing: Thing) -> str:
        made.append(thing.name)
        return thing.name.upper()
    return make


def test_a_value_is_made_once_per_object_and_again_for_an_equal_but_other_object():
    memo, made = ByIdentity(), []
    a, a_again = Thing("a"), Thing("a")
    assert [memo.get(a, _counting(made)), memo.get(a, _counting(made)), memo.get(a_again, _counting(made))] == \
        ["A", "A", "A"]
    assert made == ["a", "a"]


def test_a_value_is_made_again_when_what_else_it_is_made_of_differs():
    memo, made = ByIdentity(), []
    a = Thing("a")
    memo.get(a, _counting(made), also=("https://example.org", 1))
    memo.get(a, _counting(made), also=("https://example.org", 1))
    memo.get(a, _counting(made), also=("https://example.org", 2))
    assert made == ["a", "a"]


def test_objects_not_kept_are_forgotten_and_made_again_when_they_come_back():
    memo, made = ByIdentity(), []
    a, b = Thing("a"), Thing("b")
    memo.get(a, _counting(made))
    memo.get(b, _counting(made))
    memo.keep_only([b])
    memo.get(a, _counting(made))
    memo.get(b, _counting(made))
    assert made == ["a", "b", "a"]


def test_a_value_put_is_the_one_given():
    memo, made = ByIdentity(), []
    a = Thing("a")
    memo.put(a, "read back")
    assert memo.get(a, _counting(made)) == "read back" and made == []


def test_a_few_objects_gone_are_forgotten_only_once_they_could_be_an_eighth_of_those_kept():
    memo, made = ByIdentity(), []
    things = [Thing(str(n)) for n in range(16)]
    for thing in things:
        memo.get(thing, _counting(made))
    memo.keep_only(things[1:])  # one gone of 15 kept: not looked for
    memo.get(things[0], _counting(made))
    assert made.count("0") == 1
    memo.keep_only(things[3:])  # three of 13: more than an eighth, so forgotten
    memo.get(things[0], _counting(made))
    assert made.count("0") == 2 and made.count("3") == 1
