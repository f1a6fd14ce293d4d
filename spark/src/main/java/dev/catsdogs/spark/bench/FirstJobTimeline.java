package dev.catsdogs.spark.bench;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * When the first Spark job after {@link #arm} launched its first task and when it ended, from
 * Spark's own event times (the listener bus delivers events late, their timestamps are not). Splits
 * a scoring job into start-up (planning, code generation, until a task reads an image) and the
 * scoring itself.
 */
final class FirstJobTimeline extends SparkListener {

    private long firstTaskLaunchMillis; // guarded by this
    private long jobEndMillis; // guarded by this
    private int jobId = -1; // guarded by this

    /** Forgets what was seen: the next job is the one measured. */
    synchronized void arm() {
        firstTaskLaunchMillis = 0;
        jobEndMillis = 0;
        jobId = -1;
    }

    @Override
    public synchronized void onTaskStart(SparkListenerTaskStart event) {
        long launch = event.taskInfo().launchTime();
        if (jobEndMillis == 0 && (firstTaskLaunchMillis == 0 || launch < firstTaskLaunchMillis)) {
            firstTaskLaunchMillis = launch;
        }
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart event) {
        if (jobId < 0) {
            jobId = event.jobId();
        }
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd event) {
        if (event.jobId() == jobId && jobEndMillis == 0) {
            jobEndMillis = event.time();
            notifyAll();
        }
    }

    /** Epoch milliseconds of the first task's launch, or 0 when none was seen. */
    synchronized long firstTaskLaunchMillis() {
        return firstTaskLaunchMillis;
    }

    /**
     * Epoch milliseconds of the first job's end, waiting up to {@code timeoutMillis} for the
     * listener bus to deliver it.
     *
     * @throws IllegalStateException when no job ended in time
     */
    synchronized long awaitJobEnd(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (jobEndMillis == 0) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new IllegalStateException(
                        "Spark reported no job end in " + timeoutMillis + " ms");
            }
            wait(Math.min(left, 50));
        }
        return jobEndMillis;
    }
}
