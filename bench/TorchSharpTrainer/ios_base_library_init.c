/* A no-op std::ios_base_library_init() for libLibTorchSharp.so on Debian 12 (see bench/README.md).
 * GCC 13's <iostream> calls this libstdc++ 3.4.32 function so that the library initialises the standard streams;
 * bookworm's libstdc++ (GCC 12, 3.4.30) has no such function and instead initialises them in the constructor of
 * the ios_base::Init object that every translation unit including <iostream> carries, libtorch's among them.
 * So there is nothing left to do here. */
void _ZSt21ios_base_library_initv(void) {}
