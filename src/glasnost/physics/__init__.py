"""The numeric core: pure NumPy/SciPy functions on SI arrays, batched along the first axis;
the hot loops compiled with Numba (``flight_kernels``, ``kepler_kernel``; decision 9).

Shape rule (all modules): a batch of N vectors is an array of shape (N, 3); a batch of scalars
has shape (N,). Functions that accept a single vector of shape (3,) return single results.
Units are SI (m, s, kg, rad) unless a name says otherwise (``lat_deg``, ``range_km``).
"""
