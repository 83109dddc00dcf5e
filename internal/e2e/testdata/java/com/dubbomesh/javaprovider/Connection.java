package com.dubbomesh.javaprovider;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.ExecutorService;

/**
 * One consumer connection. Its thread reads frames and answers heartbeats
 * itself (as Dubbo's IO thread does); calls run on the shared pool, decoded
 * there (Dubbo's default, decode.in.io=false), and each answer is written
 * when ready, whole, under the connection's lock. Many calls may be in
 * flight on one connection.
 */
final class Connection implements Runnable {
    private final Socket socket;
    private final Exports exports;
    private final ExecutorService pool;
    private final boolean strictArgs;
    private final OutputStream out;

    Connection(Socket socket, Exports exports, ExecutorService pool, boolean strictArgs) throws IOException {
        this.socket = socket;
        this.exports = exports;
        this.pool = pool;
        this.strictArgs = strictArgs;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
    }

    @Override
    public void run() {
        try (Socket s = socket) {
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 << 10));
            byte[] header = new byte[Codec.HEADER];
            while (true) {
                try {
                    in.readFully(header);
                } catch (EOFException e) {
                    return;
                }
                if ((short) (((header[0] & 0xff) << 8) | (header[1] & 0xff)) != Codec.MAGIC) {
                    System.err.println("WARN closing " + s.getRemoteSocketAddress() + ": not a Dubbo frame");
                    return;
                }
                byte flag = header[2];
                long id = 0;
                for (int i = 4; i < 12; i++) {
                    id = (id << 8) | (header[i] & 0xff);
                }
                int length = ((header[12] & 0xff) << 24) | ((header[13] & 0xff) << 16) | ((header[14] & 0xff) << 8) | (header[15] & 0xff);
                if (length < 0 || length > Codec.MAX_BODY) {
                    System.err.println("WARN closing " + s.getRemoteSocketAddress() + ": body of " + length + " bytes");
                    return;
                }
                byte[] body = new byte[length];
                in.readFully(body);
                if ((flag & Codec.FLAG_REQUEST) == 0) {
                    continue; // a response, e.g. to a heartbeat we never send
                }
                boolean twoWay = (flag & Codec.FLAG_TWOWAY) != 0;
                if ((flag & Codec.FLAG_EVENT) != 0) {
                    event(id, twoWay, flag & Codec.SERIALIZATION_MASK, body);
                    continue;
                }
                final long reqID = id;
                final int serialization = flag & Codec.SERIALIZATION_MASK;
                pool.execute(() -> call(reqID, twoWay, serialization, body));
            }
        } catch (IOException e) {
            // The consumer went away.
        }
    }

    /**
     * HeartbeatHandler: an event whose body decodes to null is a heartbeat,
     * answered if two-way. Other events ("R", read-only) get no answer.
     */
    private void event(long id, boolean twoWay, int serialization, byte[] body) throws IOException {
        Object data;
        try {
            if (serialization != Codec.HESSIAN2) {
                return;
            }
            data = Codec.input(body).readObject();
        } catch (IOException | RuntimeException e) {
            return;
        }
        if (data == null && twoWay) {
            send(Codec.heartbeatResponse(id));
        }
    }

    /** HeaderExchangeHandler.handleRequest for one call. */
    private void call(long id, boolean twoWay, int serialization, byte[] body) {
        try {
            Invocation inv;
            try {
                if (serialization != Codec.HESSIAN2) {
                    throw new IOException("Unexpected serialization id:" + serialization
                            + " received from network, please check if the peer send the right id.");
                }
                inv = Invocation.decode(body, exports, strictArgs);
            } catch (Throwable t) {
                if (twoWay) {
                    send(Codec.errorResponse(id, Codec.BAD_REQUEST, "Fail to decode request due to: " + Codec.toString(t)));
                }
                return;
            }
            Invocation.Result r;
            try {
                r = inv.invoke(exports, socket);
            } catch (Throwable t) {
                if (twoWay) {
                    send(Codec.errorResponse(id, Codec.SERVICE_ERROR, Codec.toString(t)));
                }
                return;
            }
            if (!twoWay) {
                return;
            }
            byte[] frame;
            try {
                frame = Codec.resultResponse(id, inv.dubboVersion, r.value, r.exception);
            } catch (Throwable t) {
                // ExchangeCodec.encodeResponse: a result Hessian cannot write.
                System.err.println("WARN Fail to encode response: " + t);
                frame = Codec.errorResponse(id, Codec.BAD_RESPONSE, "Failed to send response: Response [id=" + id
                        + ", version=" + inv.dubboVersion + ", status=20, event=false, error=null, result=AppResponse [value="
                        + r.value + ", exception=" + r.exception + "]], cause: " + Codec.toString(t));
            }
            send(frame);
        } catch (IOException e) {
            close();
        }
    }

    private void send(byte[] frame) throws IOException {
        synchronized (out) {
            out.write(frame);
            out.flush();
        }
    }

    private void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }
}
