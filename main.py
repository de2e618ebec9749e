"""Run routerchat: `python main.py` serves on HOST:PORT (default 127.0.0.1:5000) with gevent;
`python main.py user ...` manages accounts (see routerchat/accounts/cli.py); `python main.py backup FILE`
copies the database (routerchat/db/backup.py)."""
from gevent import monkey

monkey.patch_all()

import logging
import sys

from gevent.pywsgi import WSGIServer

from routerchat import accounts, create_app
from routerchat.accounts import cli
from routerchat.db import backup
from routerchat.db.checkpoints import start_wal_checkpoints
from routerchat.ports import busy_port_message
from routerchat.serving import freeze_start_up_objects, guarded_handler
from routerchat.startup import prepare_database

log = logging.getLogger("routerchat")


def main() -> None:
    app = create_app()
    if sys.argv[1:2] == ["backup"]:  # a copy as it is: no migration first, no connection for PostgreSQL
        sys.exit(backup.main(sys.argv[2:], app.config["SQLALCHEMY_DATABASE_URI"]))
    prepare_database(app)
    if sys.argv[1:2] == ["user"]:
        sys.exit(cli.main(sys.argv[2:], app))
    host, port = app.config["HOST"], app.config["PORT"]
    accounts.refuse_unprotected_bind(app, [host])
    server = WSGIServer((host, port), app, log=None, error_log=logging.getLogger("gevent.pywsgi"),
                        handler_class=guarded_handler(app.config["HEADER_READ_TIMEOUT"],
                                                      app.config["REQUEST_READ_TIMEOUT"]))
    try:
        server.init_socket()
    except OSError as error:
        if (busy := busy_port_message(error, host, port)) is None:
            raise
        sys.exit(busy)   # one line on stderr, exit status 1
    log.info("routerchat is listening on http://%s:%s/", host, server.server_port if port == 0 else port)
    if not app.config["OPENROUTER_API_KEY"]:
        log.warning("OPENROUTER_API_KEY is not set: the page will explain how to add it")
    start_wal_checkpoints(app)
    freeze_start_up_objects()
    server.serve_forever()


if __name__ == "__main__":
    main()
