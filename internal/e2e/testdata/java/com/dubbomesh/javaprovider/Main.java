package com.dubbomesh.javaprovider;

import com.alibaba.dubbo.performance.demo.provider.HelloServiceImpl;
import com.alibaba.dubbo.performance.demo.provider.IHelloService;
import com.dubbomesh.demo.UserService;
import com.dubbomesh.demo.UserServiceImpl;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small Dubbo 2 provider (hessian2) on Caucho Hessian, for the tests:
 *
 * <pre>java -cp hessian.jar:classes com.dubbomesh.javaprovider.Main [port] [--strict-args]</pre>
 *
 * It listens on 127.0.0.1:port (0, the default, picks a free port), prints
 * the port on stdout, and serves until stdin reaches EOF or it gets SIGTERM.
 * Exports: IHelloService; UserService (no group or version), and UserService
 * in group "gray", version "1.0.0".
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws IOException {
        int port = 0;
        boolean strictArgs = false;
        for (String a : args) {
            if ("--strict-args".equals(a)) {
                strictArgs = true;
            } else {
                port = Integer.parseInt(a);
            }
        }
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        Exports exports = new Exports(server.getLocalPort());
        exports.export(IHelloService.class, new HelloServiceImpl(), "", "");
        exports.export(UserService.class, new UserServiceImpl("default"), "", "");
        exports.export(UserService.class, new UserServiceImpl("gray:1.0.0"), "gray", "1.0.0");
        // Dubbo's default pool: 200 fixed threads.
        ExecutorService pool = Executors.newFixedThreadPool(200, r -> {
            Thread t = new Thread(r, "dubbo-call");
            t.setDaemon(true);
            return t;
        });

        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // Wait for EOF: the test that started us is done.
                }
            } catch (IOException ignored) {
                // Same as EOF.
            }
            System.exit(0);
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();

        System.out.println(server.getLocalPort());
        System.out.flush();
        while (true) {
            Socket s = server.accept();
            Thread t = new Thread(new Connection(s, exports, pool, strictArgs), "conn-" + s.getRemoteSocketAddress());
            t.setDaemon(true);
            t.start();
        }
    }
}
