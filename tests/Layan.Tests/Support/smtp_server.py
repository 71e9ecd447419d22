"""A real SMTP server for the tests (Debian's python3-aiosmtpd).

Listens on 127.0.0.1:PORT, stores every message in the maildir MAILDIR, and stops by itself
once the test process PARENT_PID is gone.
usage: smtp_server.py MAILDIR PORT PARENT_PID
"""
import os
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

maildir, port, parent = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
try:
    while os.path.exists(f"/proc/{parent}"):
        time.sleep(1)
finally:
    controller.stop()
