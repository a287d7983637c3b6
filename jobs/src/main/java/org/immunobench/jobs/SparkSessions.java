package org.immunobench.jobs;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decides how a job's Spark session is set up ({@link #plan}, pure) and builds it ({@link #open}).
 *
 * <p>The same code runs under spark-submit on a cluster and embedded on a laptop: the master is spark-submit's
 * {@code spark.master} when set, else {@code --master}, else {@code local[*]}. Local masters get no UI, a loopback
 * driver address, and never GPU resource amounts: Spark's local backend does not track resources, so a task
 * that asks for a GPU is never scheduled and the job hangs (docs/engine-notes.md, local mode cannot schedule GPU
 * resources).
 */
public final class SparkSessions {
    public static final String DEFAULT_MASTER = "local[*]";
    private static final Pattern RESOURCE_AMOUNT =
            Pattern.compile("spark\\.(task|executor)\\.resource\\.[^.]+\\.amount");

    private SparkSessions() {
    }

    /**
     * A resolved session setup.
     *
     * @param gpu tasks look for a Spark-assigned GPU (never on local masters)
     * @param threads libtorch intra-op threads per task thread
     * @param conf settings applied on top of what spark-submit set
     * @param warnings things the user asked for that this setup will not do
     */
    public record Plan(String master, boolean local, boolean gpu, int threads, Map<String, String> conf,
            List<String> warnings) {
    }

    /**
     * Resolves master, device and threads against what spark-submit already put in {@code base}; throws
     * {@link IllegalArgumentException} naming the flag or key when they cannot work together.
     *
     * @param masterFlag {@code --master}, or null
     * @param conf {@code --conf} entries
     * @param threadsFlag {@code --threads}, or null for {@code spark.task.cpus} (one thread per task slot)
     */
    public static Plan plan(SparkConf base, String masterFlag, Map<String, String> conf, boolean gpuRequested,
            Integer threadsFlag) {
        if (conf.containsKey("spark.master")) {
            throw new IllegalArgumentException("--conf spark.master: use --master instead");
        }
        String submitted = base.contains("spark.master") ? base.get("spark.master") : null;
        if (submitted != null && masterFlag != null && !submitted.equals(masterFlag)) {
            throw new IllegalArgumentException("--master " + masterFlag + " conflicts with spark.master="
                    + submitted + " set by spark-submit; give only one");
        }
        String master = submitted != null ? submitted : masterFlag != null ? masterFlag : DEFAULT_MASTER;
        boolean local = isLocal(master);
        Map<String, String> effective = new LinkedHashMap<>();
        for (scala.Tuple2<String, String> kv : base.getAll()) {
            effective.put(kv._1(), kv._2());
        }
        effective.putAll(conf);

        List<String> warnings = new ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>();
        if (local) {
            for (Map.Entry<String, String> e : effective.entrySet()) {
                if (RESOURCE_AMOUNT.matcher(e.getKey()).matches() && isPositive(e.getValue())) {
                    throw new IllegalArgumentException(e.getKey() + "=" + e.getValue() + " cannot be used with the"
                            + " local master " + master + ": Spark's local mode never schedules tasks that need a"
                            + " resource, so the job would hang. Drop it, or run on a cluster master");
                }
            }
            settings.put("spark.ui.enabled", "false");
            // Loopback unless told otherwise: sandboxes and laptops on VPNs often cannot bind the hostname.
            if (!effective.containsKey("spark.driver.bindAddress") && !effective.containsKey("spark.driver.host")) {
                settings.put("spark.driver.bindAddress", "127.0.0.1");
                settings.put("spark.driver.host", "localhost");
            }
        }
        boolean gpu = gpuRequested;
        if (gpuRequested && local) {
            warnings.add("--device gpu is ignored with the local master " + master + ": local mode runs on the CPU");
            gpu = false;
        } else if (gpuRequested && !effective.containsKey("spark.task.resource.gpu.amount")) {
            throw new IllegalArgumentException("--device gpu needs spark.task.resource.gpu.amount (and executor GPU"
                    + " resources) in the Spark conf; see conf/spark-gpu.conf");
        }
        int threads;
        if (threadsFlag != null) {
            if (threadsFlag <= 0) {
                throw new IllegalArgumentException("--threads must be > 0, got " + threadsFlag);
            }
            threads = threadsFlag;
        } else {
            String cpus = effective.getOrDefault("spark.task.cpus", "1");
            try {
                threads = Math.max(1, Integer.parseInt(cpus.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("spark.task.cpus=" + cpus + " is not an integer");
            }
        }
        settings.putAll(conf); // the user's --conf wins over our local defaults
        return new Plan(master, local, gpu, threads, Map.copyOf(settings), List.copyOf(warnings));
    }

    /** Builds the session (or returns the running one, e.g. in tests). */
    public static SparkSession open(Plan plan, String appName) {
        SparkSession.Builder b = SparkSession.builder().appName(appName).master(plan.master());
        plan.conf().forEach(b::config);
        return b.getOrCreate();
    }

    public static boolean isLocal(String master) {
        return master.startsWith("local");
    }

    private static boolean isPositive(String value) {
        try {
            return Double.parseDouble(value.trim()) > 0;
        } catch (NumberFormatException e) {
            return true; // not a number: Spark would reject it later; refuse it here with a clearer message
        }
    }
}
