"""Cursor pagination (`limit`, `starting_after`, `ending_before`) lists every object exactly once, newest first.

Found while writing the crash-recovery test, whose event listing crosses a page boundary: on SQLite, the object
named by the cursor shows up again on the next page about half the time, and with `limit=1` the walk never ends.
"""

from __future__ import annotations

import pytest

from conftest import Client

OBJECTS = 25

def walk(client: Client, path: str, limit: int, direction: str, start: str | None = None) -> tuple[list[str], str | None]:
    """Follows cursors page by page; returns the ids in the order listed and, if any, why the walk failed."""
    ids: list[str] = []
    cursor = start
    for _ in range(2 * OBJECTS + 5):
        params = {"limit": limit}
        if cursor:
            params[direction] = cursor
        page = client.ok(client.get(path, **params), 200)
        data = [item["id"] for item in page["data"]]
        if direction == "ending_before":
            ids = data + ids
        else:
            ids.extend(data)
        if not page["has_more"] or not data:
            return ids, None
        cursor = data[0] if direction == "ending_before" else data[-1]
    return ids, f"no end after {2 * OBJECTS + 5} pages"


@pytest.mark.parametrize("path", ["/v1/payment_intents", "/v1/events"])
def test_cursor_pagination_lists_every_object_once(deployment, path, request):
    server = deployment.start_server()
    client = deployment.client(server)
    for n in range(OBJECTS):
        client.create_intent(100 + n)

    everything = client.ok(client.get(path, limit=100), 200)
    assert not everything["has_more"]
    expected = [item["id"] for item in everything["data"]]
    assert len(expected) == OBJECTS == len(set(expected))
    created = [item["created"] for item in everything["data"]]
    assert created == sorted(created, reverse=True), "newest first"

    problems = []
    for limit in (1, 2, 7, 10):
        ids, failure = walk(client, path, limit, "starting_after")
        if failure or ids != expected:
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            problems.append(f"starting_after limit={limit}: {failure or ''} {len(ids)} listed for {OBJECTS}, "
                            f"repeated {repeated[:5]}, missing {sorted(set(expected) - set(ids))[:5]}")
        # Backwards from the oldest object: everything newer, in the same order.
        ids, failure = walk(client, path, limit, "ending_before", start=expected[-1])
        if failure or ids != expected[:-1]:
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            problems.append(f"ending_before limit={limit}: {failure or ''} {len(ids)} listed for {OBJECTS - 1}, "
                            f"repeated {repeated[:5]}, missing {sorted(set(expected[:-1]) - set(ids))[:5]}")
    assert not problems, f"{path} on {deployment.kind}:\n" + "\n".join(problems)
