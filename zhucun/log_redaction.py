"""A logging filter that keeps personal data out of every log line."""

import logging
import re

# An 18-character ID (17 digits + digit/X) and an 11-digit mobile number, standing alone.
# Only the last four stay, as in zhucun.id_numbers.mask_personal (digits 7-14 of an
# ID are the birth date).
_ID = re.compile(r"(?<![0-9])[0-9]{14}([0-9]{3}[0-9Xx])(?![0-9])")
_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{5}([0-9]{4})(?![0-9])")
_SECRET = re.compile(
    r"(?i)\b(password|passwd|sessionid|csrftoken|token|secret)(\"?\s*[:=]\s*\"?)[^\s&\"',;]+"
)


def redact(text: str) -> str:
    """Mask IDs and phone numbers, and blank passwords, tokens and session keys."""
    text = _ID.sub(r"**************\1", text)
    text = _PHONE.sub(r"*******\1", text)
    return _SECRET.sub(r"\1\2***", text)


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string must not hide the log
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None


def install_log_redaction() -> None:
    """Make every LogRecord of this process carry its message already redacted."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "zhucun_redacts", False):
        return

    def redacting_factory(*args, **kwargs):
        record = factory(*args, **kwargs)
        _redact_record(record)
        return record

    redacting_factory.zhucun_redacts = True
    logging.setLogRecordFactory(redacting_factory)
