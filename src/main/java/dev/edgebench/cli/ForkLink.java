package dev.edgebench.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;

/**
 * Checks, before any long work, that JMH's forked JVMs will be able to report back: each fork
 * connects over TCP to the JVM that started it, at {@code jmh.link.address} or else the loopback
 * address. In a sandbox or network namespace whose loopback interface is down every fork dies at
 * once, and a whole suite would end with nothing measured.
 */
final class ForkLink {
    private static final int CONNECT_TIMEOUT_MS = 2000;

    private ForkLink() {
    }

    /** @return why forks could not connect back on this machine, or null when they can */
    static String problem() {
        String configured = System.getProperty("jmh.link.address");
        InetAddress address;
        try {
            address = configured != null ? InetAddress.getByName(configured) : InetAddress.getLoopbackAddress();
        } catch (UnknownHostException e) {
            return "-Djmh.link.address=" + configured + " is not an address of this machine: " + e.getMessage();
        }
        return problem(address);
    }

    /** @return why a fork could not connect back to {@code address}, or null when it can */
    static String problem(InetAddress address) {
        try (ServerSocket server = new ServerSocket(0, 1, address); Socket client = new Socket()) {
            client.connect(new InetSocketAddress(address, server.getLocalPort()), CONNECT_TIMEOUT_MS);
            return null;
        } catch (IOException e) {
            return "JMH runs every benchmark in a forked JVM that reports back over TCP to " + address.getHostAddress()
                    + ", and a test connection there failed (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "). Bring the loopback interface up (ip link set lo up), or name a local address that works with"
                    + " -Djmh.link.address=ADDR";
        }
    }
}
