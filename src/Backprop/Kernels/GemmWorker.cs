using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Backprop.Kernels;

/// <summary>
/// One persistent background thread that computes the second half of large products. The handshake is two
/// <see cref="ManualResetEventSlim"/>s (spin, then block), and the job is a struct field, so a product costs no
/// allocation: no Task, no closure, no delegate. Only one caller at a time may use the worker; a caller that
/// finds it busy computes its whole product alone.
/// </summary>
internal sealed class GemmWorker
{
    static GemmWorker? instance;
    static readonly Lock creation = new();

    // The events' own spinning backs off into sched_yield; ours is a tight, time-bounded pause loop instead.
    readonly ManualResetEventSlim start = new(false, spinCount: 1);
    readonly ManualResetEventSlim done = new(false, spinCount: 1);
    int busy;
    long completedJobs;
    Job job;
    Exception? failure;

    /// <summary>
    /// How long the idle worker polls before it blocks (100 µs): products issued back to back in a training
    /// step then start without a kernel wake-up, which costs 10–50 µs on a virtual machine.
    /// </summary>
    static readonly long IdleSpinTicks = Stopwatch.Frequency / 10_000;

    /// <summary>How long a caller polls for the worker's half before it blocks (the halves are balanced, so usually short).</summary>
    static readonly long FinishSpinTicks = Stopwatch.Frequency / 1_000;

    GemmWorker()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "Backprop GEMM worker" };
        thread.Start();
    }

    /// <summary>The worker, created (with its thread) on first use.</summary>
    public static GemmWorker Instance
    {
        get
        {
            if (Volatile.Read(ref instance) is { } existing) return existing;
            lock (creation)
                return instance ??= new GemmWorker();
        }
    }

    /// <summary>Hands out work to, and synchronises, the two threads of a team product.</summary>
    public GemmSchedule Schedule { get; } = new();

    /// <summary>Jobs the worker thread has finished (tests use it to see that the two-thread path ran).</summary>
    public long CompletedJobs => Volatile.Read(ref completedJobs);

    /// <summary>Claims the worker for one product; false when another thread is using it.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref busy, 1, 0) == 0;

    /// <summary>Starts <paramref name="work"/> on the worker (after <see cref="TryClaim"/> succeeded).</summary>
    public void Start(in Job work)
    {
        job = work;
        done.Reset();
        start.Set();
    }

    /// <summary>Waits for the started job, releases the worker, and rethrows anything the job threw.</summary>
    public void Finish()
    {
        SpinUntilSet(done, FinishSpinTicks);
        done.Wait();
        Exception? error = failure;
        failure = null;
        Volatile.Write(ref busy, 0);
        if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
    }

    void Loop()
    {
        while (true)
        {
            SpinUntilSet(start, IdleSpinTicks);
            start.Wait();
            start.Reset();
            try
            {
                GemmFloat.RunPart(job);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
            Volatile.Write(ref completedJobs, completedJobs + 1);
            done.Set();
        }
    }

    static void SpinUntilSet(ManualResetEventSlim signal, long ticks)
    {
        long end = Stopwatch.GetTimestamp() + ticks;
        while (!signal.IsSet && Stopwatch.GetTimestamp() < end) Thread.SpinWait(20);
    }

    /// <summary>
    /// A rectangle of C for one thread: rows [I0, I1) × columns [J0, J1) of <see cref="Problem"/>; or, when
    /// <see cref="SharedPackedB"/> is set, all of C shared with the other thread through that packed-B buffer.
    /// </summary>
    public unsafe struct Job
    {
        public GemmProblem Problem;
        public GemmInstructionSet InstructionSet;
        public bool Direct;
        public int I0, I1, J0, J1;
        public float* SharedPackedB;
    }
}
