"""glassgrad's benchmarks: side-by-side comparisons that report ratios to a
baseline measured in the same run. They report; they never gate CI."""
