package io.productapp.mesh.proxy;

import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.impl.ContextInternal;

/**
 * A proxy's HTTP/1.1 connections to the endpoints it forwards to, as an Envoy worker's connection
 * pools: made on the proxy's own event loop, kept alive and reused per address (the most recently
 * used first), and closed when either side says {@code connection: close}, when they break, or
 * after {@link #IDLE_TIMEOUT_SECONDS} with nothing read.
 * <p>
 * On Netty directly, because this is the hot half of every hop: the request goes out with the very
 * header map the stages built (no copy into a client's own), the answer's headers arrive in a map
 * the stages use as they are, and its body is read into one buffer. Every callback runs on the
 * proxy's context, as a Vert.x handler would.
 */
final class UpstreamConnections {

    /** A connection that read nothing for this long is closed (Vert.x's and Envoy's idle timeouts are of this order). */
    static final int IDLE_TIMEOUT_SECONDS = 60;
    /** The most an answer's buffer is given before its bytes arrive. */
    private static final int INITIAL_BODY_CAPACITY = 64 * 1024;

    /** How one request ends: exactly one of the two is called, once. */
    interface Exchange {
        void answered(int status, MultiMap headers, Buffer body);

        /**
         * The connection could not be made ({@link java.net.ConnectException}), broke, or the request
         * was {@linkplain Request#reset() reset}.
         */
        void failed(Throwable cause);
    }

    /** A request on its way; {@link #reset()} abandons it. */
    interface Request {
        /** Closes the connection the request is on (or will not make it); the exchange then fails, after this call returns. */
        void reset();
    }

    /** Thrown into {@link Exchange#failed} for a request that was reset by its caller. */
    static final class ResetException extends Exception {
        ResetException() {
            super("reset by the proxy", null, false, false);
        }
    }

    private static final HttpHeadersFactory HEADERS = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return HeadersMultiMap.httpHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return HeadersMultiMap.httpHeaders();
        }
    };

    private final ContextInternal context;
    private final EventLoop loop;
    private final Class<? extends Channel> channelType;
    private final int maxHeaderBytes;
    /** Idle connections by address, the last released on top. */
    private final Map<InetSocketAddress, ArrayDeque<Connection>> idle = new HashMap<>();
    private boolean closed;

    /**
     * @param context the proxy's context; its event loop carries every connection
     * @param nativeTransport whether that loop is epoll's (Vert.x with native transport) or NIO's
     * @param maxHeaderBytes the largest status line and header block accepted from an endpoint
     */
    UpstreamConnections(ContextInternal context, boolean nativeTransport, int maxHeaderBytes) {
        this.context = context;
        this.loop = context.nettyEventLoop();
        this.channelType = nativeTransport ? EpollSocketChannel.class : NioSocketChannel.class;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    /**
     * Sends a request to {@code host:port} on an idle connection to it, or on a new one made within
     * {@code connectTimeoutMillis}. The headers go out as they are, with a {@code content-length}
     * for a body; {@code host} is the caller's to set. Call on the proxy's event loop.
     */
    Request send(String host, int port, HttpMethod method, String uri, MultiMap headers, Buffer body, long connectTimeoutMillis,
            Exchange exchange) {
        Pending pending = new Pending(method, uri, headers, body, exchange);
        if (closed) {
            pending.fail(new ClosedChannelException());
            return pending;
        }
        InetSocketAddress address = InetSocketAddress.createUnresolved(host, port);
        ArrayDeque<Connection> free = idle.get(address);
        Connection reused = free == null ? null : free.pollFirst();
        if (reused != null) {
            reused.send(pending);
            return pending;
        }
        Connection connection = new Connection(address);
        ChannelFuture connecting = new io.netty.bootstrap.Bootstrap().group(loop).channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeoutMillis)))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(
                                new HttpClientCodec(new HttpDecoderConfig().setMaxInitialLineLength(maxHeaderBytes)
                                        .setMaxHeaderSize(maxHeaderBytes).setHeadersFactory(HEADERS).setTrailersFactory(HEADERS),
                                        false, false),
                                new IdleStateHandler(IDLE_TIMEOUT_SECONDS, 0, 0, TimeUnit.SECONDS),
                                connection);
                    }
                })
                .connect(new InetSocketAddress(host, port));
        pending.connecting = connecting;
        connecting.addListener(done -> {
            pending.connecting = null;
            if (done.isSuccess()) {
                connection.send(pending);
            } else {
                pending.fail(done.cause());
            }
        });
        return pending;
    }

    /** Closes every idle connection and refuses new requests; requests in flight end as their connections close. */
    void close() {
        closed = true;
        idle.values().forEach(free -> free.forEach(c -> c.channel.close()));
        idle.clear();
    }

    /** One request from send to its one outcome. */
    private final class Pending implements Request {
        private final HttpMethod method;
        private final String uri;
        private final MultiMap headers;
        private final Buffer body;
        private final Exchange exchange;
        private ChannelFuture connecting;
        private Connection connection;
        private boolean done;

        Pending(HttpMethod method, String uri, MultiMap headers, Buffer body, Exchange exchange) {
            this.method = method;
            this.uri = uri;
            this.headers = headers;
            this.body = body;
            this.exchange = exchange;
        }

        @Override
        public void reset() {
            if (done) {
                return;
            }
            done = true;
            ChannelFuture stillConnecting = connecting; // cancelling runs the connect listener, which clears the field
            if (stillConnecting != null) {
                stillConnecting.cancel(false);
                stillConnecting.channel().close();
            }
            if (connection != null) {
                connection.abandon();
            }
            loop.execute(() -> context.emit(new ResetException(), exchange::failed));
        }

        void fail(Throwable cause) {
            if (!done) {
                done = true;
                context.emit(cause, exchange::failed);
            }
        }

        void answer(int status, MultiMap responseHeaders, Buffer responseBody) {
            if (!done) {
                done = true;
                context.emit(null, v -> exchange.answered(status, responseHeaders, responseBody));
            }
        }
    }

    /** One connection and the request it carries (one at a time: no pipelining, as Envoy's HTTP/1 pool). */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress address;
        private Channel channel;
        private Pending current;
        private boolean closeAfter;
        private boolean interim;
        private int status;
        private MultiMap responseHeaders;
        private ByteBuf responseBody;

        Connection(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        void send(Pending pending) {
            if (pending.done) { // reset while connecting: the connection is not needed
                channel.close();
                return;
            }
            if (!channel.isActive()) {
                pending.fail(new ClosedChannelException());
                return;
            }
            current = pending;
            pending.connection = this;
            interim = false;
            status = 0;
            responseHeaders = null;
            ByteBuf content = Unpooled.EMPTY_BUFFER;
            if (pending.body.length() > 0) {
                content = Unpooled.wrappedBuffer(pending.body.getBytes());
                pending.headers.set(HttpHeaderNames.CONTENT_LENGTH, String.valueOf(content.readableBytes()));
            }
            String connectionHeader = pending.headers.get(HttpHeaderNames.CONNECTION);
            closeAfter = connectionHeader != null && HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(connectionHeader);
            HttpHeaders headers = pending.headers instanceof HttpHeaders netty ? netty : copy(pending.headers);
            channel.writeAndFlush(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, pending.method.toNetty(), pending.uri, content, headers,
                    EmptyHttpHeaders.INSTANCE), channel.voidPromise());
        }

        /** The caller gave up on the request: the connection is in an unknown state, so it goes. */
        void abandon() {
            current = null;
            channel.close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                read((HttpObject) msg);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void read(HttpObject msg) {
            if (current == null) { // bytes nobody asked for, or the rest of an abandoned answer
                channel.close();
                return;
            }
            if (msg.decoderResult().isFailure()) {
                failAndClose(msg.decoderResult().cause());
                return;
            }
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                if (code >= 100 && code < 200 && code != 101) {
                    interim = true; // an interim answer (100 Continue, 103): the final one follows
                    return;
                }
                status = code;
                responseHeaders = (MultiMap) response.headers();
                if (!HttpUtil.isKeepAlive(response)) {
                    closeAfter = true;
                }
                // Sized by the declared length, up to a bound: a length is a claim, not yet bytes.
                long length = HttpUtil.getContentLength(response, -1L);
                responseBody = Unpooled.buffer(length >= 0 ? (int) Math.min(length, INITIAL_BODY_CAPACITY) : 256);
            }
            if (msg instanceof HttpContent content) {
                if (interim) { // the decoder ends an interim answer with an empty last content
                    interim = !(content instanceof LastHttpContent);
                    return;
                }
                if (responseBody == null) {
                    failAndClose(new IllegalStateException("a body before the status line"));
                    return;
                }
                responseBody.writeBytes(content.content());
                if (content instanceof LastHttpContent) {
                    Pending answered = current;
                    ByteBuf body = responseBody;
                    current = null;
                    responseBody = null;
                    if (closeAfter || closed) {
                        channel.close();
                    } else {
                        idle.computeIfAbsent(address, a -> new ArrayDeque<>()).addFirst(this);
                    }
                    answered.answer(status, responseHeaders, Buffer.buffer(body));
                }
            }
        }

        private void failAndClose(Throwable cause) {
            Pending failed = current;
            current = null;
            channel.close();
            if (failed != null) {
                failed.fail(cause);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ArrayDeque<Connection> free = idle.get(address);
            if (free != null) {
                free.remove(this);
            }
            if (current != null) {
                failAndClose(new ClosedChannelException());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failAndClose(cause);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                failAndClose(new ClosedChannelException());
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }
    }

    private static HttpHeaders copy(MultiMap headers) {
        HttpHeaders copy = HeadersMultiMap.httpHeaders();
        headers.forEach(header -> copy.add(header.getKey(), header.getValue()));
        return copy;
    }
}
