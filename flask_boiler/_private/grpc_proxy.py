"""A pass-through gRPC proxy that shows every message of every call to an observer.

Why a proxy: google-cloud-firestore builds its gRPC channel privately (no ``channel=``,
``transport=`` or interceptor argument on ``firestore.Client``), so the one public seam
between a client and its server is the address it dials, ``FIRESTORE_EMULATOR_HOST``.
A proxy listening there sees exactly what crosses the wire, whichever API issued it,
without touching the client's internals. :mod:`flask_boiler.testing.costs` uses it to
count what Firestore bills.

Messages are forwarded as raw bytes (no re-encoding, so nothing can be altered); the
observer decodes what it cares about. Metadata, deadlines, status codes and cancellation
travel both ways. Plain-text gRPC only: made for the local emulators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Protocol

import grpc

__all__ = ["CallObserver", "GrpcProxy"]

#: Let messages of any size through; the upstream server enforces its own limits.
_UNLIMITED = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]

Metadata = tuple[tuple[str, str | bytes], ...]


class CallObserver(Protocol):
    """Sees one call's messages. ``failed`` runs if the server answered with an error status;
    ``close`` runs once the call is over (also when the caller cancelled it or it failed);
    after a complete call it runs before the caller learns the call ended, so a caller that
    waited for its call sees everything the observer recorded."""

    def request(self, message: bytes) -> None: ...

    def response(self, message: bytes) -> None: ...

    def failed(self, code: grpc.StatusCode) -> None: ...

    def close(self) -> None: ...


class _Silent:
    def request(self, message: bytes) -> None:
        pass

    def response(self, message: bytes) -> None:
        pass

    def failed(self, code: grpc.StatusCode) -> None:
        pass

    def close(self) -> None:
        pass


def _forwarded_metadata(context: grpc.ServicerContext) -> Metadata:
    # Pseudo-headers, gRPC's reserved keys and the user agent are set again by our channel.
    return tuple(
        (key, value)
        for key, value in context.invocation_metadata()
        if not key.startswith((":", "grpc-")) and key != "user-agent"
    )


def _cancel_on_hang_up(context: grpc.ServicerContext, call: grpc.RpcContext) -> None:
    """When the caller goes away, so does the forwarded call."""

    def cancel() -> None:
        call.cancel()

    context.add_callback(cancel)


def _timeout(context: grpc.ServicerContext) -> float | None:
    remaining = context.time_remaining()
    return remaining if remaining is not None and remaining < 86_400 else None


class GrpcProxy(grpc.GenericRpcHandler):
    """Listens on ``address`` (a free local port) and forwards every call to ``upstream``.

    ``observe(method)`` returns the observer of one call (``None``: not observed).
    ``server_streaming`` and ``bidi_streaming`` name the methods (last path segment) whose
    responses, or requests and responses, are streams; every other method is unary.
    """

    def __init__(
        self,
        upstream: str,
        observe: Callable[[str], CallObserver | None],
        *,
        server_streaming: frozenset[str] = frozenset(),
        bidi_streaming: frozenset[str] = frozenset(),
        max_workers: int = 32,
    ) -> None:
        self._observe = observe
        self._server_streaming = server_streaming
        self._bidi_streaming = bidi_streaming
        self._channel = grpc.insecure_channel(upstream, options=_UNLIMITED)
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=max_workers), options=_UNLIMITED)
        self._server.add_generic_rpc_handlers((self,))
        port = self._server.add_insecure_port("127.0.0.1:0")
        self.address = f"127.0.0.1:{port}"
        self._server.start()

    def close(self, grace: float = 2.0) -> None:
        """Stop: calls still running get ``grace`` seconds. An abrupt stop would send callers
        whose transport is not torn down yet a GOAWAY, which gRPC logs as noise."""
        self._server.stop(grace=grace).wait()
        self._channel.close()

    def __enter__(self) -> GrpcProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- grpc.GenericRpcHandler ----------------------------------------------------------

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[bytes, bytes]:
        method = handler_call_details.method
        name = method.rsplit("/", 1)[-1]
        if name in self._bidi_streaming:
            return grpc.stream_stream_rpc_method_handler(self._bidi(method))
        if name in self._server_streaming:
            return grpc.unary_stream_rpc_method_handler(self._server_stream(method))
        return grpc.unary_unary_rpc_method_handler(self._unary(method))

    def _observer(self, method: str) -> CallObserver:
        return self._observe(method) or _Silent()

    def _unary(self, method: str) -> Callable[[bytes, grpc.ServicerContext], bytes]:
        stub: grpc.UnaryUnaryMultiCallable[bytes, bytes] = self._channel.unary_unary(method)

        def handle(request: bytes, context: grpc.ServicerContext) -> bytes:
            observer = self._observer(method)
            observer.request(request)
            call = stub.future(request, metadata=_forwarded_metadata(context), timeout=_timeout(context))
            _cancel_on_hang_up(context, call)
            try:
                response: bytes = call.result()
            except grpc.RpcError as error:
                observer.failed(error.code())
                observer.close()
                context.abort(error.code(), error.details() or "")
            observer.response(response)
            observer.close()
            return response

        return handle

    def _server_stream(self, method: str) -> Callable[[bytes, grpc.ServicerContext], Iterator[bytes]]:
        stub: grpc.UnaryStreamMultiCallable[bytes, bytes] = self._channel.unary_stream(method)

        def handle(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
            observer = self._observer(method)
            observer.request(request)
            call = stub(request, metadata=_forwarded_metadata(context), timeout=_timeout(context))
            _cancel_on_hang_up(context, call)
            yield from _relay(call, observer, context)

        return handle

    def _bidi(self, method: str) -> Callable[[Iterator[bytes], grpc.ServicerContext], Iterator[bytes]]:
        stub: grpc.StreamStreamMultiCallable[bytes, bytes] = self._channel.stream_stream(method)

        def handle(requests: Iterator[bytes], context: grpc.ServicerContext) -> Iterator[bytes]:
            observer = self._observer(method)

            def observed() -> Iterator[bytes]:
                for request in requests:
                    observer.request(request)
                    yield request

            call = stub(observed(), metadata=_forwarded_metadata(context), timeout=_timeout(context))
            _cancel_on_hang_up(context, call)
            yield from _relay(call, observer, context, cancelled_is_normal=True)

        return handle


def _relay(
    call: Iterator[bytes], observer: CallObserver, context: grpc.ServicerContext, *, cancelled_is_normal: bool = False
) -> Iterator[bytes]:
    """Stream the emulator's responses back to the caller, showing each to ``observer``; an
    emulator error becomes the caller's (a bidi stream's own hang-up is how it ends: not one)."""
    try:
        for response in call:
            observer.response(response)
            yield response
    except grpc.RpcError as error:
        if not (cancelled_is_normal and error.code() == grpc.StatusCode.CANCELLED):
            observer.failed(error.code())
            context.abort(error.code(), error.details() or "")
    finally:
        observer.close()  # also when the caller stopped reading early
