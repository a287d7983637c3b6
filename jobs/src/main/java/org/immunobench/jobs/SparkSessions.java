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
 *
 * <p>On a cluster master, {@code --device gpu} or {@code auto} with executor GPUs turns on GPU scheduling: the stages
 * that train ask one GPU per task through a stage-level ResourceProfile ({@link GpuProfiles}). A session started here
 * for a cluster master (not through spark-submit, which ships its own jar) ships the application's classes to the
 * executors ({@link ApplicationJars}).
 */
public final class SparkSessions {
    public static final String DEFAULT_MASTER = "local[*]";
    private static final Pattern LOOPBACK_MASTER = Pattern.compile("spark://(127\\.0\\.0\\.1|localhost):\\d+");
    private static final Pattern RESOURCE_AMOUNT =
            Pattern.compile("spark\\.(task|executor)\\.resource\\.[^.]+\\.amount");

    private SparkSessions() {
    }

    /**
     * A resolved session setup.
     *
     * @param device where tasks run their models ({@code cpu} on local masters when {@code gpu} was asked)
     * @param gpuScheduling the stages that train ask Spark for one GPU per task (cluster masters with executor GPUs)
     * @param threads libtorch intra-op threads per task thread
     * @param taskCpus {@code spark.task.cpus}
     * @param shipJars the session must ship the application's classes to the executors ({@code spark.jars}): a
     *     cluster master, and no {@code spark.jars} from spark-submit or {@code --conf}
     * @param conf settings applied on top of what spark-submit set
     * @param warnings things the user asked for that this setup will not do
     */
    public record Plan(String master, boolean local, DeviceChoice device, boolean gpuScheduling, int threads,
            int taskCpus, boolean shipJars, Map<String, String> conf, List<String> warnings) {
        /** True when tasks may use a GPU. */
        public boolean gpu() {
            return device != DeviceChoice.cpu;
        }

        /** How the stages that train are placed. */
        public Placement placement() {
            return new Placement(device, gpuScheduling, taskCpus);
        }
    }

    /**
     * How a stage's tasks are placed: the device choice, whether they ask Spark for one GPU each, and the CPUs a task
     * takes ({@code spark.task.cpus}).
     */
    public record Placement(DeviceChoice device, boolean gpuScheduling, int taskCpus) implements java.io.Serializable {
        /** CPU tasks, no resource requests: local mode and tests. */
        public static Placement cpu() {
            return new Placement(DeviceChoice.cpu, false, 1);
        }
    }

    /**
     * Resolves master, device and threads against what spark-submit already put in {@code base}; throws
     * {@link IllegalArgumentException} naming the flag or key when they cannot work together.
     *
     * @param masterFlag {@code --master}, or null
     * @param conf {@code --conf} entries
     * @param threadsFlag {@code --threads}, or null for {@code spark.task.cpus} (one thread per task slot)
     */
    public static Plan plan(SparkConf base, String masterFlag, Map<String, String> conf, DeviceChoice device,
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
        if (!local && LOOPBACK_MASTER.matcher(master).matches() && !effective.containsKey("spark.driver.bindAddress")
                && !effective.containsKey("spark.driver.host")) {
            // a cluster on loopback (bin/local-cluster): executors must reach the driver there too
            settings.put("spark.driver.bindAddress", "127.0.0.1");
            settings.put("spark.driver.host", "127.0.0.1");
        }
        DeviceChoice chosen = device;
        boolean gpuScheduling = false;
        boolean executorGpus = isPositive(effective.getOrDefault("spark.executor.resource.gpu.amount", "0"));
        if (device == DeviceChoice.gpu && local) {
            warnings.add("--device gpu is ignored with the local master " + master + ": local mode runs on the CPU");
            chosen = DeviceChoice.cpu;
        } else if (device != DeviceChoice.cpu && !local) {
            if (executorGpus) {
                gpuScheduling = true;
            } else if (device == DeviceChoice.gpu) {
                throw new IllegalArgumentException("--device gpu needs executor GPUs:"
                        + " spark.executor.resource.gpu.amount (and, outside Standalone, a discovery script) in the"
                        + " Spark conf; see conf/spark-gpu.conf");
            } else {
                warnings.add("--device auto: no executor GPUs are configured (spark.executor.resource.gpu.amount),"
                        + " so tasks run on the CPU");
            }
        }
        int taskCpus;
        String cpus = effective.getOrDefault("spark.task.cpus", "1");
        try {
            taskCpus = Math.max(1, Integer.parseInt(cpus.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("spark.task.cpus=" + cpus + " is not an integer");
        }
        int threads;
        if (threadsFlag != null) {
            if (threadsFlag <= 0) {
                throw new IllegalArgumentException("--threads must be > 0, got " + threadsFlag);
            }
            threads = threadsFlag;
        } else {
            threads = taskCpus;
        }
        settings.putAll(conf); // the user's --conf wins over our local defaults
        boolean shipJars = !local && !effective.containsKey("spark.jars");
        return new Plan(master, local, chosen, gpuScheduling, threads, taskCpus, shipJars, Map.copyOf(settings),
                List.copyOf(warnings));
    }

    /** Builds the session (or returns the running one, e.g. in tests). */
    public static SparkSession open(Plan plan, String appName) {
        SparkSession.Builder b = SparkSession.builder().appName(appName).master(plan.master());
        plan.conf().forEach(b::config);
        if (plan.shipJars()) {
            b.config("spark.jars", String.join(",", ApplicationJars.locate()));
        }
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
