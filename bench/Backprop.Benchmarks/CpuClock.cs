namespace Backprop.Benchmarks;

/// <summary>
/// CPU time from the kernel (Linux <c>clock_gettime</c>): on a shared machine the steadier measure, since time spent
/// descheduled does not count. About 0.3 µs a reading.
/// </summary>
internal static class CpuClock
{
    const int Process = 2, Thread = 3; // CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID

    /// <summary>The calling thread's CPU time so far, in nanoseconds.</summary>
    public static long ThreadNanoseconds() => Read(Thread);

    /// <summary>The whole process's CPU time so far (every thread, spinning included), in nanoseconds.</summary>
    public static long ProcessNanoseconds() => Read(Process);

    static long Read(int clock)
    {
        clock_gettime(clock, out var time);
        return time.Seconds * 1_000_000_000 + time.Nanoseconds;
    }

    struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    static extern int clock_gettime(int clock, out TimeSpec time);
}
