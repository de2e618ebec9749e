"""What the tests share besides fixtures: servers to start, an HTTP/SSE client, database factories
and honest waiting. conftest.py holds the fixtures built on these."""
