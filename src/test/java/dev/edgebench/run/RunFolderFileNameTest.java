package dev.edgebench.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Long benchmark ids (many parameters, an engine given by a path or URL) still make writable, distinct file names. */
class RunFolderFileNameTest {
    @Test
    void longIdsAreCutWithAHash(@TempDir Path dir) throws Exception {
        String shortId = "DecodeBenchmark.decode[batch=1,model=m]";
        assertEquals("DecodeBenchmark.decode_batch=1,model=m_", RunFolder.fileName(shortId), "short ids keep their readable form");
        String base = "RequestsBenchmark.requests[burstiness=1,cacheType=f16,concurrency=2,engine=trtllm:/tmp/some/rather/long/path/"
                + "to/an/engine/directory/%s,flashAttn=auto,lengthRange=0,model=edgebench-tiny:Q4_0,nGen=8,nGpuLayers=auto,nPrompt=16,"
                + "nRequests=4,rate=0,slo=none,threads=1,ubatch=512]";
        String a = RunFolder.fileName(base.formatted("a"));
        String b = RunFolder.fileName(base.formatted("b"));
        assertEquals(RunFolder.MAX_FILE_NAME, a.length());
        assertNotEquals(a, b, "ids differing past the cut get different names");
        assertEquals(a, RunFolder.fileName(base.formatted("a")), "the same id, the same name (fork and host agree)");
        assertTrue(a.startsWith("RequestsBenchmark.requests_burstiness=1"), a);
        RunFolder f = new RunFolder(dir);
        RunFolder.writeJson(f.failure(base.formatted("a")), Map.of("ok", true));
        assertTrue(Files.isRegularFile(f.failure(base.formatted("a"))));
    }
}
