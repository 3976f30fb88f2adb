package dev.edgebench.cli;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The check that JMH's forks can report back, made before a run starts. */
class ForkLinkTest {
    @Test
    void aWorkingLoopbackPasses() {
        assertNull(ForkLink.problem(InetAddress.getLoopbackAddress()));
    }

    @Test
    void anAddressForksCannotReachIsNamedWithTheCauseAndTheWayOut() throws Exception {
        // TEST-NET-1 (RFC 5737): never an address of this machine, so nothing can listen there
        String why = ForkLink.problem(InetAddress.getByName("192.0.2.1"));
        assertTrue(why != null && why.contains("192.0.2.1") && why.contains("forked JVM") && why.contains("ip link set lo up")
                && why.contains("-Djmh.link.address"), why);
    }

    @Test
    void aRunIsRefusedBeforeAnyWorkWhenForksCannotReportBack() {
        String old = System.getProperty("jmh.link.address");
        System.setProperty("jmh.link.address", "192.0.2.1");
        try {
            String why = ForkLink.problem();
            assertTrue(why != null && why.contains("192.0.2.1"), why);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> {
                        RunArgs a = new RunArgs();
                        Cli.commandLine(a).parseArgs("--model", "edgebench-tiny:Q4_0");
                        RunCommand.plan(a);
                    });
            assertTrue(e.getMessage().contains("forked JVM"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("jmh.link.address");
            } else {
                System.setProperty("jmh.link.address", old);
            }
        }
    }
}
