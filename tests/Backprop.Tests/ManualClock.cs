namespace Backprop.Tests;

/// <summary>
/// A <see cref="TimeProvider"/> whose time moves only when <see cref="Advance"/> is called, firing every timer that
/// falls due: a timeout under test fires exactly when the test says, never because the machine was slow.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    readonly object gate = new();
    readonly List<Timer> timers = [];
    long ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() { lock (gate) return ticks; }
    public override DateTimeOffset GetUtcNow() { lock (gate) return new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(ticks); }

    /// <summary>Moves time on by <paramref name="by"/> and runs the callbacks of the timers now due, on this thread.</summary>
    public void Advance(TimeSpan by)
    {
        List<Timer> due;
        lock (gate)
        {
            ticks += by.Ticks;
            due = timers.Where(t => t.DueAt <= ticks).ToList();
            foreach (var t in due) t.Reschedule(ticks);
        }
        foreach (var t in due) t.Fire();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    sealed class Timer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public long DueAt = long.MaxValue;
        long period = -1;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool fireNow;
            lock (clock.gate)
            {
                this.period = period == Timeout.InfiniteTimeSpan ? -1 : period.Ticks;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : clock.ticks + dueTime.Ticks;
                fireNow = dueTime == TimeSpan.Zero;
                if (fireNow) Reschedule(clock.ticks);
                if (DueAt == long.MaxValue) clock.timers.Remove(this);
                else if (!clock.timers.Contains(this)) clock.timers.Add(this);
            }
            if (fireNow) ThreadPool.QueueUserWorkItem(_ => Fire());
            return true;
        }

        /// <summary>Called under the clock's lock when the timer fires at <paramref name="now"/>.</summary>
        public void Reschedule(long now)
        {
            if (period > 0) DueAt = now + period;
            else
            {
                DueAt = long.MaxValue;
                clock.timers.Remove(this);
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock.gate)
            {
                DueAt = long.MaxValue;
                clock.timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
