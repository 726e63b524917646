using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Backprop.Kernels;

/// <summary>
/// One persistent background thread that takes part in large products and long element-wise updates. The
/// handshake is a flag polled for a while, then an <see cref="AutoResetEvent"/> to block on, and the job is a
/// struct field, so a product costs no allocation: no Task, no closure, no delegate (and no
/// ManualResetEventSlim, whose blocking wait allocates now and then). Only one caller at a time may use the
/// worker (<see cref="TryShare"/>); a caller that finds it busy computes alone.
/// </summary>
internal sealed unsafe class GemmWorker
{
    static GemmWorker? instance;
    static readonly Lock creation = new();

    // A flag is the truth; its event only wakes a blocked waiter, so a stale Set costs one spurious wake-up.
    readonly AutoResetEvent startEvent = new(false);
    readonly AutoResetEvent doneEvent = new(false);
    int started;
    int finished;
    int busy;
    int claimed;
    long completedJobs;
    long allocatedBytes;
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

    /// <summary>
    /// Whether a second thread may work at all: not in a browser, whose WebAssembly runtime has no threads (starting
    /// one throws), nor on one core.
    /// </summary>
    public static bool Available { get; } = !OperatingSystem.IsBrowser() && !OperatingSystem.IsWasi() && Environment.ProcessorCount > 1;

    /// <summary>The worker, created (with its thread) on first use; never where it is not <see cref="Available"/>.</summary>
    public static GemmWorker Instance
    {
        get
        {
            if (!Available) throw new PlatformNotSupportedException("the GEMM worker needs a second thread, which this platform does not have");
            if (Volatile.Read(ref instance) is { } existing) return existing;
            lock (creation)
                return instance ??= new GemmWorker();
        }
    }

    /// <summary>Jobs the worker thread has finished (tests use it to see that the two-thread path ran).</summary>
    public long CompletedJobs => Volatile.Read(ref completedJobs);

    /// <summary>Jobs the calling thread has handed to the worker and seen finish: unlike <see cref="CompletedJobs"/>,
    /// not moved by other threads sharing the worker at the same time (tests).</summary>
    public static long JobsSharedByCurrentThread => sharedByThisThread;

    [ThreadStatic] static long sharedByThisThread;

    /// <summary>Stopwatch ticks the calling thread has spent waiting for the worker to finish its part (the epoch
    /// breakdown of bench/RESULTS.md); two timestamps per shared product, which takes 10 µs and more.</summary>
    public static long WaitTicksOfCurrentThread => waitedByThisThread;

    [ThreadStatic] static long waitedByThisThread;

    /// <summary>Bytes the worker thread had allocated when it finished its last job, waits included (tests).</summary>
    public long AllocatedBytes => Volatile.Read(ref allocatedBytes);

    /// <summary>
    /// Runs <paramref name="theirs"/> on the worker while the calling thread runs <paramref name="mine"/>, and
    /// returns when both are done, rethrowing anything the worker's job threw. False, with nothing run, when
    /// another thread holds the worker: the caller then does all of the work itself.
    /// </summary>
    /// <remarks>
    /// A caller that finishes its part before the worker has started the other runs that part too: on a loaded
    /// machine the worker thread can wait a whole time slice for a core, and the caller would otherwise wait with it.
    /// The worker, finding its job taken, releases the worker for the next product without touching the job's memory.
    /// </remarks>
    public bool TryShare(in Job mine, in Job theirs)
    {
        if (Interlocked.CompareExchange(ref busy, 1, 0) != 0) return false;
        job = theirs;
        Volatile.Write(ref claimed, 0);
        Volatile.Write(ref finished, 0);
        Volatile.Write(ref started, 1);
        startEvent.Set();
        bool mineToo = false;
        try
        {
            Run(mine);
        }
        finally
        {
            mineToo = Interlocked.CompareExchange(ref claimed, 1, 0) == 0;
            if (!mineToo)
            {
                // The worker reads through pointers the caller pinned: never leave before it ends.
                long waitStarted = Stopwatch.GetTimestamp();
                WaitFor(ref finished, doneEvent, FinishSpinTicks);
                waitedByThisThread += Stopwatch.GetTimestamp() - waitStarted;
                Exception? error = failure;
                failure = null;
                Volatile.Write(ref busy, 0);
                sharedByThisThread++;
                if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
            }
        }
        // Reached only when Run(mine) returned: the worker never started this part, and never will.
        if (mineToo) Run(theirs);
        return true;
    }

    static void Run(in Job job)
    {
        if (job.Part is not null) job.Part(job.State, job.I0, job.I1);
        else GemmFloat.RunPart(job);
    }

    void Loop()
    {
        while (true)
        {
            WaitFor(ref started, startEvent, IdleSpinTicks);
            Volatile.Write(ref started, 0);
            if (Interlocked.CompareExchange(ref claimed, 1, 0) != 0)
            {
                // The caller ran this job itself and left the worker held for us to release.
                Volatile.Write(ref busy, 0);
                continue;
            }
            try
            {
                Run(job);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
            Volatile.Write(ref allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
            Volatile.Write(ref completedJobs, completedJobs + 1);
            Volatile.Write(ref finished, 1);
            doneEvent.Set();
        }
    }

    /// <summary>
    /// Runs <paramref name="part"/>(state, 0, s) on the calling thread and (state, s, length) on the worker, s
    /// about half of length on a 64-element boundary; or all of it here when another thread holds the worker.
    /// For element-wise work only: the two ranges must be independent.
    /// </summary>
    public static void RunHalves(void* state, int length, delegate*<void*, int, int, void> part)
    {
        int split = length / 2 / 64 * 64;
        if (split > 0 && Available && Instance.TryShare(new Job { Part = part, State = state, I0 = 0, I1 = split },
                                           new Job { Part = part, State = state, I0 = split, I1 = length }))
            return;
        part(state, 0, length);
    }

    /// <summary>Polls <paramref name="flag"/> for up to <paramref name="ticks"/>, then blocks on <paramref name="wake"/> until it is set.</summary>
    static void WaitFor(ref int flag, AutoResetEvent wake, long ticks)
    {
        long end = Stopwatch.GetTimestamp() + ticks;
        while (Volatile.Read(ref flag) == 0 && Stopwatch.GetTimestamp() < end) Thread.SpinWait(20);
        while (Volatile.Read(ref flag) == 0) wake.WaitOne();
    }

    /// <summary>
    /// A rectangle of C for one thread: rows [I0, I1) × columns [J0, J1) of <see cref="Problem"/>; or, when
    /// <see cref="Part"/> is set, Part(State, I0, I1) (<see cref="RunHalves"/>).
    /// </summary>
    public unsafe struct Job
    {
        public delegate*<void*, int, int, void> Part;
        public void* State;
        public GemmProblem Problem;
        public MatrixInstructionSet InstructionSet;
        public bool Direct;
        public bool MatrixVector;
        public int I0, I1, J0, J1;
    }
}
