package org.immunobench.lm.checkpoint;

import ai.djl.Device;
import org.immunobench.lm.model.LlamaWeights;
import org.immunobench.lm.model.ModelConfig;
import org.immunobench.lm.model.RandomInit;
import org.immunobench.lm.runtime.DjlRuntime;
import org.immunobench.lm.runtime.RuntimeOptions;
import org.immunobench.lm.scoring.Scorer;
import org.immunobench.lm.scoring.ScoringInput;
import org.immunobench.lm.scoring.SequenceScore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A checkpoint more than four times larger than the heap loads and scores: a child JVM with {@code -Xmx64m} (and
 * 64 MiB of direct memory) loads a ~280 MB float32 checkpoint through the streaming loader, scores two sequences, and
 * reports its peak heap, which must stay under a quarter of the checkpoint; its scores must equal those of the same
 * weights put on the engine straight from memory.
 */
class StreamingLoadHeapTest {
    static final int[] ROW_A = {2, 911, 17, 30_000, 4_242, 77, 5, 31_999, 123, 8};
    static final int[] ROW_B = {2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
    private static final String HEAP = "64m";
    private static final Pattern LINE = Pattern.compile("heap-probe peak_heap=(\\d+) load_ms=(\\d+) nll=([^,]+),(\\S+)");

    @TempDir
    Path dir;

    /** 70.8M parameters: 283 MB as float32. */
    static ModelConfig bigConfig() {
        return ModelConfig.llama(32_000, 640, 1_728, 6, 10, 5, 256).withSpecialTokens(2, List.of(3), 0);
    }

    @Test
    void aCheckpointFourTimesTheHeapLoadsAndScoresInAChildJvm() throws Exception {
        ModelConfig c = bigConfig();
        Map<String, org.immunobench.lm.checkpoint.HostTensor> tensors = RandomInit.weights(c, 3);
        Path ckpt = dir.resolve("big");
        CheckpointWriter.write(ckpt, c, tensors, null, "F32");
        long size = Files.size(ckpt.resolve(CheckpointReader.SINGLE_FILE));

        DjlRuntime.start(1);
        List<SequenceScore> expected;
        try (LlamaWeights w = LlamaWeights.fromHost(c, tensors, Device.cpu())) {
            expected = new Scorer(w, RuntimeOptions.cpu()).score(List.of(new ScoringInput(ROW_A, 1),
                    new ScoringInput(ROW_B, 3)));
        }
        tensors = null; // the parent's copy is not needed any more

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-D") || arg.startsWith("-XX:+Ignore")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx" + HEAP, "-XX:MaxDirectMemorySize=" + HEAP, "-cp",
                System.getProperty("java.class.path"), HeapProbe.class.getName(), ckpt.toString(), "f32"));
        Path log = dir.resolve("child.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child JVM did not finish");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        Matcher m = LINE.matcher(out);
        assertTrue(m.find(), out);
        long peak = Long.parseLong(m.group(1));
        System.out.printf("streaming load with -Xmx%s: checkpoint %.1f MB, peak heap %.1f MB (%.1f%% of the"
                + " checkpoint), load %s ms%n", HEAP, size / 1e6, peak / 1e6, 100.0 * peak / size, m.group(2));
        assertTrue(size > 4 * 64L * 1024 * 1024, "checkpoint " + size + " bytes");
        assertTrue(peak < size / 4, "peak heap " + peak + " of a " + size + "-byte checkpoint");
        assertEquals(expected.get(0).nllSum(), Double.parseDouble(m.group(3)), 1e-6 * Math.abs(expected.get(0).nllSum()));
        assertEquals(expected.get(1).nllSum(), Double.parseDouble(m.group(4)), 1e-6 * Math.abs(expected.get(1).nllSum()));
    }
}
