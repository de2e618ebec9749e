"""The garbage collector around imports: off while an archive is built, the archive frozen after,
everything handed back when the last import ends."""
import gc

from routerchat.transfer.collector import archive_held


def test_the_collector_pauses_while_an_archive_is_built_and_skips_it_after():
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with archive_held() as built:
        assert not gc.isenabled()
        archive = [{"text": str(n)} for n in range(1000)]
        built()
        assert gc.isenabled() and gc.get_freeze_count() >= len(archive)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_archive_stays_frozen_until_the_last_import_ends():
    with archive_held() as first:
        first()
        with archive_held() as second:
            assert not gc.isenabled()
            second()
        assert gc.isenabled() and gc.get_freeze_count() > 0  # the first import still holds its archive
    assert gc.isenabled() and gc.get_freeze_count() == 0
