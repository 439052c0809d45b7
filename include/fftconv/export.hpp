#pragma once
// Symbols are hidden by default (CXX_VISIBILITY_PRESET hidden); FFTCONV_API marks the public ABI.
// FFTCONV_STATIC is defined by CMake for consumers of a static build.
#if defined(FFTCONV_STATIC)
#define FFTCONV_API
#elif defined(_WIN32)
#if defined(FFTCONV_BUILDING)
#define FFTCONV_API __declspec(dllexport)
#else
#define FFTCONV_API __declspec(dllimport)
#endif
#else
#define FFTCONV_API __attribute__((visibility("default")))
#endif

// The same for libfftconv_mpi (fftconv/mpi.hpp), built with FFTCONV_MPI_BUILDING.
#if defined(FFTCONV_STATIC)
#define FFTCONV_MPI_API
#elif defined(_WIN32)
#if defined(FFTCONV_MPI_BUILDING)
#define FFTCONV_MPI_API __declspec(dllexport)
#else
#define FFTCONV_MPI_API __declspec(dllimport)
#endif
#else
#define FFTCONV_MPI_API __attribute__((visibility("default")))
#endif
