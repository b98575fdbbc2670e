"""Write agent traces in the Agent Deadlock Debugger's native JSONL format.

Standard library only; copy this file into your project. Each line is one event, described in
docs/traces.md of the Agent Deadlock Debugger. Example::

    from agent_trace import AgentTrace

    trace = AgentTrace("run.trace.jsonl", agent="planner")

    @trace.tool("fetch_page", timeout_ms=10_000)
    async def fetch_page(url): ...

    @trace.tool()                  # tool name defaults to the function name
    def read_file(path): ...

    with trace.lock("db"):         # lock.request, lock.acquire, lock.release
        ...

    async with trace.wait(call="call-7"):   # wait.start and wait.end
        await other_result

Calls made inside a wrapped tool record it as their parent (tracked with contextvars, so this
works across threads and asyncio tasks). Events are flushed line by line, so the trace is
readable while the agent runs and survives a crash.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import itertools
import json
import os
import sys
import threading
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Optional, TextIO, Union

__all__ = ["AgentTrace"]

_current_call: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar("agent_trace_call", default=None)

_TIMEOUT_ERRORS = (TimeoutError,)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _status_of(error: BaseException) -> str:
    if isinstance(error, _TIMEOUT_ERRORS):
        return "timeout"
    if type(error).__name__ == "CancelledError":
        return "cancelled"
    return "error"


def _jsonable(value: Any) -> Any:
    """Return value if json can encode it, else its repr, so a tool input never breaks the trace."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


class _Wait:
    """Context manager (sync and async) that records a wait from enter to exit."""

    def __init__(self, trace: "AgentTrace", target: Dict[str, str]) -> None:
        self._trace = trace
        self._target = target
        self._wait: Optional[str] = None

    def __enter__(self) -> str:
        self._wait = self._trace.wait_start(self._target)
        return self._wait

    def __exit__(self, kind, error, traceback) -> None:
        if error is None:
            outcome = "delivered"
        elif _status_of(error) == "timeout":
            outcome = "timeout"
        else:
            outcome = "failed"
        if error is not None and _status_of(error) == "cancelled":
            outcome = "cancelled"
        self._trace.wait_end(self._wait or "", outcome)

    async def __aenter__(self) -> str:
        return self.__enter__()

    async def __aexit__(self, kind, error, traceback) -> None:
        self.__exit__(kind, error, traceback)


class _Lock:
    """Context manager that records taking and releasing a lock, and optionally takes a real one."""

    def __init__(self, trace: "AgentTrace", name: str, real: Any) -> None:
        self._trace = trace
        self._name = name
        self._real = real

    def __enter__(self) -> "_Lock":
        self._trace.emit("lock.request", lock=self._name, **self._trace._subject())
        if self._real is not None:
            self._real.acquire()
        self._trace.emit("lock.acquire", lock=self._name, **self._trace._subject())
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if self._real is not None:
            self._real.release()
        self._trace.emit("lock.release", lock=self._name, **self._trace._subject())

    async def __aenter__(self) -> "_Lock":
        self._trace.emit("lock.request", lock=self._name, **self._trace._subject())
        if self._real is not None:
            await self._real.acquire()
        self._trace.emit("lock.acquire", lock=self._name, **self._trace._subject())
        return self

    async def __aexit__(self, kind, error, traceback) -> None:
        if self._real is not None:
            self._real.release()
        self._trace.emit("lock.release", lock=self._name, **self._trace._subject())


class AgentTrace:
    """Writes trace events to a file path or an open text stream."""

    def __init__(self, target: Union[str, "os.PathLike[str]", TextIO], agent: str = "main", header: bool = True) -> None:
        if isinstance(target, (str, os.PathLike)):
            self._stream: TextIO = open(target, "a", encoding="utf-8")
            self._owns_stream = True
        else:
            self._stream = target
            self._owns_stream = False
        self.agent = agent
        self._write_lock = threading.Lock()
        self._ids = itertools.count(1)
        if header:
            self.emit("trace.start", format="agent-trace", version=1)

    def close(self) -> None:
        if self._owns_stream:
            self._stream.close()

    def __enter__(self) -> "AgentTrace":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # Events

    def emit(self, event_type: str, **fields: Any) -> None:
        """Write one event line; fields that are None are left out."""
        event = {"ts": _now(), "type": event_type}
        event.update({key: value for key, value in fields.items() if value is not None})
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        with self._write_lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}-{os.getpid()}-{next(self._ids)}"

    def _subject(self) -> Dict[str, str]:
        call = _current_call.get()
        return {"call": call} if call is not None else {"agent": self.agent}

    def call_start(self, tool: str, input: Any = None, call: Optional[str] = None, agent: Optional[str] = None,
                   parent: Optional[str] = None, timeout_ms: Optional[float] = None, group: Optional[str] = None) -> str:
        call_id = call or self._next_id("call")
        self.emit("call.start", call=call_id, tool=tool, agent=agent or self.agent,
                  parent=parent if parent is not None else _current_call.get(),
                  input=_jsonable(input), timeout_ms=timeout_ms, group=group)
        return call_id

    def call_end(self, call: str, status: str = "ok", error: Optional[str] = None, output: Any = None) -> None:
        self.emit("call.end", call=call, status=status, error=error, output=_jsonable(output) if output is not None else None)

    def wait_start(self, target: Dict[str, str]) -> str:
        wait_id = self._next_id("wait")
        self.emit("wait.start", wait=wait_id, **self._subject(), **{"for": target})
        return wait_id

    def wait_end(self, wait: str, outcome: str = "delivered") -> None:
        self.emit("wait.end", wait=wait, outcome=outcome)

    def heartbeat(self, note: Optional[str] = None) -> None:
        self.emit("heartbeat", **self._subject(), note=note)

    def agent_start(self, agent: str, parent_call: Optional[str] = None) -> None:
        self.emit("agent.start", agent=agent, parent_call=parent_call if parent_call is not None else _current_call.get())

    def agent_end(self, agent: str, status: str = "ok") -> None:
        self.emit("agent.end", agent=agent, status=status)

    def message(self, message: str, sender: Optional[str] = None, receiver: Optional[str] = None) -> None:
        self.emit("message", message=message, **{"from": sender, "to": receiver})

    # Helpers

    def wait(self, **target: str) -> _Wait:
        """Context manager for a wait on exactly one of call=, agent=, message= (with from=) or lock=."""
        return _Wait(self, target)

    def lock(self, name: str, real: Any = None) -> _Lock:
        """Context manager that records a lock; pass a threading.Lock or asyncio.Lock as real= to take it too."""
        return _Lock(self, name, real)

    def tool(self, name: Optional[str] = None, timeout_ms: Optional[float] = None,
             agent: Optional[str] = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator that records each call of a sync or async function as a tool call."""

        def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
            tool_name = name or function.__name__

            def start(args: tuple, kwargs: dict) -> str:
                # One positional argument is the input itself; anything else is recorded whole.
                call_input: Any = kwargs
                if len(args) == 1 and not kwargs:
                    call_input = args[0]
                elif args:
                    call_input = {"args": list(args), **kwargs}
                return self.call_start(tool_name, input=call_input, agent=agent, timeout_ms=timeout_ms)

            if inspect.iscoroutinefunction(function):
                @functools.wraps(function)
                async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                    call = start(args, kwargs)
                    token = _current_call.set(call)
                    try:
                        result = await function(*args, **kwargs)
                    except BaseException as error:
                        self.call_end(call, _status_of(error), error=f"{type(error).__name__}: {error}")
                        raise
                    finally:
                        _current_call.reset(token)
                    self.call_end(call, "ok")
                    return result

                return async_wrapper

            @functools.wraps(function)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                call = start(args, kwargs)
                token = _current_call.set(call)
                try:
                    result = function(*args, **kwargs)
                except BaseException as error:
                    self.call_end(call, _status_of(error), error=f"{type(error).__name__}: {error}")
                    raise
                finally:
                    _current_call.reset(token)
                self.call_end(call, "ok")
                return result

            return wrapper

        return decorate


if __name__ == "__main__":
    # A short demonstration: writes a few events to standard output.
    demo = AgentTrace(sys.stdout, agent="demo")

    @demo.tool("add")
    def add(a: int, b: int) -> int:
        return a + b

    add(1, 2)
