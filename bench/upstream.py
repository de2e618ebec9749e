"""The fake OpenRouter from tests/, on gevent, as the benchmark's upstream.

Its threads become greenlets, so hundreds of simultaneous streams cost the upstream little and
never stand in for the app's own cost: `python bench/upstream.py --port P --tokens 50 --delay 0.02`.
"""
from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_openrouter import main  # noqa: E402

if __name__ == "__main__":
    main()
