"""fftconv-mpi under mpirun: each rank reads its rows of an npy or FITS image, the result equals
the single-process library's (fftconv's Python package on the whole array).

Run by CTest as mpi:program with FFTCONV_MPI_PROGRAM (the program) and MPIEXEC (mpirun)."""
import os
import subprocess

import numpy as np
import pytest
from astropy.io import fits

import fftconv

PROGRAM = os.environ["FFTCONV_MPI_PROGRAM"]
MPIEXEC = os.environ.get("MPIEXEC", "mpirun")


def run(ranks, *args):
    command = [MPIEXEC, "-n", str(ranks), "--oversubscribe", "--allow-run-as-root", PROGRAM]
    return subprocess.run(command + [str(a) for a in args], capture_output=True, text=True,
                          timeout=300)


def save(path, array):
    if str(path).endswith(".npy"):
        np.save(path, array)
    else:
        fits.writeto(path, array, overwrite=True)


def load(path):
    return np.load(path) if str(path).endswith(".npy") else fits.getdata(path)


def fft_tolerance(image, kernel, iterations=1):
    """The FFT's rounding, relative to the largest value: 4 eps log2(points) per convolution
    (the distributed transform and the single process's round differently)."""
    eps = np.finfo(image.dtype).eps
    points = np.prod([n + 2 * k for n, k in zip(image.shape, kernel.shape)])
    return iterations * 4 * eps * np.log2(points)


@pytest.mark.parametrize("ranks", [1, 2, 3, 4])
@pytest.mark.parametrize("suffix", [".npy", ".fits"])
@pytest.mark.parametrize("strategy", ["halo_exchange", "distributed_fft"])
@pytest.mark.parametrize("command", ["convolve", "correlate"])
def test_convolve_equals_single_process(tmp_path, ranks, suffix, strategy, command):
    rng = np.random.default_rng(ranks)
    image = rng.random((37, 29))
    kernel = rng.random((9, 6))
    save(tmp_path / ("image" + suffix), image)
    np.save(tmp_path / "kernel.npy", kernel)
    out = tmp_path / ("out" + suffix)
    done = run(ranks, command, tmp_path / ("image" + suffix), tmp_path / "kernel.npy", "-o", out,
               "--boundary", "mirror", "--strategy", strategy)
    assert done.returncode == 0, done.stderr
    assert strategy in done.stderr
    expected = getattr(fftconv, command)(image, kernel, mode="same", boundary="mirror")
    got = load(out)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= fft_tolerance(image, kernel) * np.abs(expected).max()


@pytest.mark.parametrize("boundary", ["zero", "constant", "reflect", "nearest", "wrap"])
@pytest.mark.parametrize("mode", ["same", "valid"])
def test_every_boundary_and_mode_float32(tmp_path, boundary, mode):
    rng = np.random.default_rng(5)
    image = rng.random((8, 6, 7)).astype(np.float32)
    kernel = rng.random((5, 2, 3)).astype(np.float32)
    np.save(tmp_path / "image.npy", image)
    np.save(tmp_path / "kernel.npy", kernel)
    fill = ["--fill", 0.5] if boundary == "constant" else []
    done = run(3, "convolve", tmp_path / "image.npy", tmp_path / "kernel.npy", "-o",
               tmp_path / "out.npy", "--boundary", boundary, *fill, "--mode", mode,
               "--method", "direct")
    assert done.returncode == 0, done.stderr
    expected = fftconv.convolve(image, kernel, mode=mode, boundary=boundary, fill_value=0.5,
                                method="direct")
    got = np.load(tmp_path / "out.npy")
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)  # halo exchange, direct: bit for bit


def test_fill_implies_a_constant_boundary_as_in_fftconv(tmp_path):
    rng = np.random.default_rng(3)
    image = rng.random((12, 9))
    np.save(tmp_path / "image.npy", image)
    np.save(tmp_path / "kernel.npy", np.ones((5, 3)))
    done = run(2, "convolve", tmp_path / "image.npy", tmp_path / "kernel.npy", "-o",
               tmp_path / "out.npy", "--fill", 3, "--method", "direct")
    assert done.returncode == 0, done.stderr
    expected = fftconv.convolve(image, np.ones((5, 3)), mode="same", boundary="constant",
                                fill_value=3, method="direct")
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), expected)
    contradiction = run(2, "convolve", tmp_path / "image.npy", tmp_path / "kernel.npy", "-o",
                        tmp_path / "other.npy", "--fill", 3, "--boundary", "wrap")
    assert contradiction.returncode != 0
    assert "--boundary constant" in contradiction.stderr
    assert not (tmp_path / "other.npy").exists()


def test_deconvolve_equals_single_process(tmp_path):
    rng = np.random.default_rng(9)
    image = rng.random((31, 24))
    psf = rng.random((5, 4))
    fits.writeto(tmp_path / "image.fits", image)
    np.save(tmp_path / "psf.npy", psf)
    done = run(4, "deconvolve", tmp_path / "image.fits", "--psf", tmp_path / "psf.npy", "-o",
               tmp_path / "out.fits", "--iterations", 8)
    assert done.returncode == 0, done.stderr
    expected = fftconv.restoration.richardson_lucy(image, psf, num_iter=8, clip=False)
    got = fits.getdata(tmp_path / "out.fits")
    assert np.abs(got - expected).max() <= fft_tolerance(image, psf, 16) * np.abs(expected).max()


def test_errors_stop_every_rank_and_write_nothing(tmp_path):
    np.save(tmp_path / "kernel.npy", np.ones((3, 3)))
    np.save(tmp_path / "image.npy", np.ones((10, 10)))
    out = tmp_path / "out.npy"
    missing = run(3, "convolve", tmp_path / "missing.npy", tmp_path / "kernel.npy", "-o", out)
    assert missing.returncode != 0
    assert "missing.npy" in missing.stderr
    full = run(2, "convolve", tmp_path / "image.npy", tmp_path / "kernel.npy", "-o", out,
               "--mode", "full")
    assert full.returncode != 0
    assert "full" in full.stderr
    negative = run(2, "deconvolve", tmp_path / "image.npy", "--psf", tmp_path / "kernel.npy",
                   "-o", out, "--iterations", -1)
    assert negative.returncode != 0
    assert "iterations" in negative.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["image.npy", "kernel.npy"]
