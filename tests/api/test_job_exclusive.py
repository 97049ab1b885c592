"""Job runners are exclusive across processes and hosts: a second `loyalty run`/`retention run` does nothing."""

from __future__ import annotations

import pytest

from server.cli.exclusive import BUSY
from server.cli.main import main
from server.stores import open_database
from tests.utils import point_cli_at


@pytest.fixture
def other_process(settings):
    """A second Database on the same store, as another worker or host would open it."""
    database = open_database(settings)
    yield database
    database.close()


def test_one_holder_at_a_time_and_free_again_after(fresh_db, other_process):
    with fresh_db.exclusive("loyalty-run") as first:
        with other_process.exclusive("loyalty-run") as second:
            assert (True, False) == (first, second)
        with other_process.exclusive("retention-run") as other_job:
            assert other_job  # jobs exclude only themselves
    with other_process.exclusive("loyalty-run") as later:
        assert later


@pytest.mark.parametrize("command, job", [(["loyalty", "run"], "loyalty-run"),
                                          (["retention", "run", "--no-send", "--quiet"], "retention-run"),
                                          (["recs", "refresh"], "recs-refresh")])
def test_a_second_runner_exits_busy_and_does_nothing(fresh_db, other_process, settings, monkeypatch, capsys, command, job):
    point_cli_at(monkeypatch, settings)
    with other_process.exclusive(job):
        assert BUSY == main(command)
    captured = capsys.readouterr()
    assert "another run of this job is in progress" in captured.err
    assert "run:" not in captured.out  # no report: nothing ran
    assert 0 == main(command)


def test_a_bad_job_name_is_refused(fresh_db):
    with pytest.raises(ValueError):
        with fresh_db.exclusive("../../etc/passwd"):
            pass
