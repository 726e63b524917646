using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Kernels;

/// <summary>
/// A generic T seen as the float it is: the float kernels are reached from generic code only after a
/// typeof(T) == typeof(float) test, which the JIT folds away per instantiation.
/// </summary>
internal static class FloatView
{
    public static Span<float> Of<T>(Span<T> s) => MemoryMarshal.CreateSpan(ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(s)), s.Length);
    public static ReadOnlySpan<float> Of<T>(ReadOnlySpan<T> s) => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(s)), s.Length);
    public static float Of<T>(T value) => Unsafe.As<T, float>(ref value);
}
