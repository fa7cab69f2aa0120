import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** JavaSettings is the server's effective settings as one JSON object: the peer's settings line. */
final class JavaSettings {
    private JavaSettings() { }

    static String json(boolean virtual, long primed) {
        List<String> gcs = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) gcs.add(gc.getName());
        String stack = "";
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Xss")) stack = a.substring(4);
        }
        Runtime rt = Runtime.getRuntime();
        return "{\"server\":\"java\",\"threads\":\"" + (virtual ? "virtual" : "platform") + "\""
            + ",\"java_version\":\"" + System.getProperty("java.version") + "\""
            + ",\"vm\":\"" + System.getProperty("java.vm.name") + "\""
            + ",\"available_processors\":" + rt.availableProcessors()
            + ",\"virtual_parallelism\":\"" + System.getProperty("jdk.virtualThreadScheduler.parallelism", "") + "\""
            + ",\"gc\":\"" + String.join(", ", gcs) + "\""
            + ",\"heap_max_mb\":" + rt.maxMemory() / (1 << 20)
            + ",\"heap_committed_mb\":" + rt.totalMemory() / (1 << 20)
            + ",\"thread_stack\":\"" + stack + "\""
            + ",\"in_buffer_start\":" + JavaThreads.IN_START + ",\"out_buffer_start\":" + JavaThreads.OUT_START
            + ",\"backlog\":4096,\"tcp_nodelay\":true"
            + ",\"primed_requests\":" + primed
            + ",\"cpu_iters_per_us\":" + Math.round(JavaThreads.itersPerUs * 1000) / 1000.0
            + ",\"cpu_calibration\":\"thread-cpu\"}";
    }
}
