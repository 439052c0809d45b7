# FindFFTW3: Debian's FFTW ships pkg-config files but no CMake package, so this module wraps
# pkg-config. Imported targets:
#   FFTW3::fftw3           double precision
#   FFTW3::fftw3f          single precision
#   FFTW3::fftw3_threads   FFTW's threads library for double (if installed)
#   FFTW3::fftw3f_threads  FFTW's threads library for float  (if installed)
#   FFTW3::fftw3_mpi, FFTW3::fftw3f_mpi  FFTW's MPI libraries (if installed: libfftw3-mpi-dev)
# Result variables: FFTW3_FOUND, FFTW3_VERSION.
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_FFTW3 QUIET fftw3)
  pkg_check_modules(PC_FFTW3F QUIET fftw3f)
endif()

find_path(FFTW3_INCLUDE_DIR fftw3.h HINTS ${PC_FFTW3_INCLUDE_DIRS})
find_library(FFTW3_LIBRARY fftw3 HINTS ${PC_FFTW3_LIBRARY_DIRS})
find_library(FFTW3F_LIBRARY fftw3f HINTS ${PC_FFTW3F_LIBRARY_DIRS} ${PC_FFTW3_LIBRARY_DIRS})
find_library(FFTW3_THREADS_LIBRARY fftw3_threads HINTS ${PC_FFTW3_LIBRARY_DIRS})
find_library(FFTW3F_THREADS_LIBRARY fftw3f_threads HINTS ${PC_FFTW3F_LIBRARY_DIRS} ${PC_FFTW3_LIBRARY_DIRS})
find_library(FFTW3_MPI_LIBRARY fftw3_mpi HINTS ${PC_FFTW3_LIBRARY_DIRS})
find_library(FFTW3F_MPI_LIBRARY fftw3f_mpi HINTS ${PC_FFTW3F_LIBRARY_DIRS} ${PC_FFTW3_LIBRARY_DIRS})
find_path(FFTW3_MPI_INCLUDE_DIR fftw3-mpi.h HINTS ${PC_FFTW3_INCLUDE_DIRS})
set(FFTW3_VERSION ${PC_FFTW3_VERSION})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(FFTW3
  REQUIRED_VARS FFTW3_LIBRARY FFTW3F_LIBRARY FFTW3_INCLUDE_DIR
  VERSION_VAR FFTW3_VERSION)

if(FFTW3_FOUND)
  foreach(lib IN ITEMS fftw3 fftw3f fftw3_threads fftw3f_threads fftw3_mpi fftw3f_mpi)
    string(TOUPPER "${lib}" var)
    set(path "${${var}_LIBRARY}")
    if(path AND NOT TARGET FFTW3::${lib})
      add_library(FFTW3::${lib} UNKNOWN IMPORTED)
      set_target_properties(FFTW3::${lib} PROPERTIES
        IMPORTED_LOCATION "${path}"
        INTERFACE_INCLUDE_DIRECTORIES "${FFTW3_INCLUDE_DIR}")
    endif()
  endforeach()
endif()
mark_as_advanced(FFTW3_INCLUDE_DIR FFTW3_LIBRARY FFTW3F_LIBRARY FFTW3_THREADS_LIBRARY
                 FFTW3F_THREADS_LIBRARY FFTW3_MPI_LIBRARY FFTW3F_MPI_LIBRARY FFTW3_MPI_INCLUDE_DIR)
