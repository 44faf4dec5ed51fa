"""The code part of a fingerprint: edits that cannot change a result keep it, edits that
can (in the step or in a helper it reaches) change it."""

from __future__ import annotations

from provgraph.workflow.source import code_identity, is_user_module, normalized_source
from tests.provgraph.workflow.conftest import ModuleWriter

BASE = '''
def scale(values, factor):
    total = []
    for v in values:
        total.append(v * factor)
    return total
'''


def test_comments_whitespace_docstrings_and_local_names_do_not_matter(
        user_module: ModuleWriter) -> None:
    first = user_module("m_norm", BASE).scale
    before = normalized_source(first), code_identity(first).digest
    second = user_module("m_norm", '''
# a comment above
def scale(items,   factor):   # renamed a parameter
    """Multiply every item."""
    out = []   # and a local


    for item in items:
        out.append(item * factor)  # same operation
    return out
''').scale
    assert (normalized_source(second), code_identity(second).digest) == before


def test_a_semantic_edit_changes_the_source(user_module: ModuleWriter) -> None:
    before = code_identity(user_module("m_sem", BASE).scale).source
    second = user_module("m_sem", BASE.replace("v * factor", "v + factor")).scale
    assert code_identity(second).source != before


def test_renaming_a_global_reference_is_not_a_local_rename(user_module: ModuleWriter) -> None:
    before = normalized_source(user_module("m_glob", "def f(x):\n    return len(x)\n").f)
    second = user_module("m_glob", "def f(x):\n    return max(x)\n").f
    assert normalized_source(second) != before


def test_helpers_in_user_modules_are_part_of_the_code(user_module: ModuleWriter) -> None:
    user_module("m_helpers_lib", '''
import math

OFFSET = 3

def clean(x):
    return math.floor(x) + OFFSET
''')
    step_module = user_module("m_helpers_step", '''
import m_helpers_lib
from m_helpers_lib import clean

def step(x):
    return clean(x) + m_helpers_lib.OFFSET
''')
    identity = code_identity(step_module.step)
    assert set(identity.helpers) == {"m_helpers_lib:clean", "m_helpers_lib:OFFSET"}
    before = identity.digest

    user_module("m_helpers_lib", '''
import math

OFFSET = 3

def clean(x):
    return math.ceil(x) + OFFSET
''')
    step_module = user_module("m_helpers_step", step_module.__loader__.get_source(  # type: ignore[union-attr]
        "m_helpers_step"))
    after = code_identity(step_module.step)
    assert after.source == identity.source  # the step itself did not change
    assert after.helpers["m_helpers_lib:clean"] != identity.helpers["m_helpers_lib:clean"]
    assert after.digest != before


def test_a_comment_in_a_helper_keeps_the_digest(user_module: ModuleWriter) -> None:
    user_module("m_hc_lib", "def helper(x):\n    return x * 2\n")
    step = user_module("m_hc_step", "from m_hc_lib import helper\n\n"
                                    "def step(x):\n    return helper(x)\n").step
    before = code_identity(step).digest
    user_module("m_hc_lib", "def helper(x):\n    # doubled\n    return x * 2  # yes\n")
    step = user_module("m_hc_step", "from m_hc_lib import helper\n\n"
                                    "def step(x):\n    return helper(x)\n").step
    assert code_identity(step).digest == before


def test_library_and_provgraph_code_are_not_helpers(user_module: ModuleWriter) -> None:
    step = user_module("m_lib", '''
import json
from provgraph.workflow import use_step_logger

def step(x):
    use_step_logger()
    return json.dumps(x)
''').step
    assert code_identity(step).helpers == {}
    assert not is_user_module("json")
    assert not is_user_module("provgraph.workflow")
    assert is_user_module("m_lib")


def test_a_function_without_source_still_gets_a_digest() -> None:
    identity = code_identity(eval("lambda x: x + 1"))
    assert identity.source and identity.helpers == {}
