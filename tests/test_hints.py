from course_utils._hints import did_you_mean, suggestion


def test_did_you_mean_prefers_case_then_prefix_then_spelling():
    words = ["king", "kings", "kingdom", "queen", "King"]
    assert did_you_mean("KING", words)[:2] == ["king", "King"]
    assert did_you_mean("kingg", words)[0] == "king"
    assert did_you_mean("simlex", ["simlex999", "wordsim353"]) == ["simlex999"]
    assert did_you_mean("zzzz", words) == []
    assert did_you_mean("", words) == []


def test_suggestion_sentence():
    assert suggestion("quen", ["queen"]) == "; did you mean 'queen'?"
    assert suggestion("xyz", ["queen"]) == ""


def test_did_you_mean_on_a_400k_vocabulary():
    words = [f"w{i}" for i in range(400_000)] + ["king"]
    assert did_you_mean("kingg", words) == ["king"]
