"""Scale: worker processes for many files (:mod:`.pool`), Parquet output (:mod:`.parquet`), Dask (:mod:`.dask`)."""
