"""Report layer: workbooks and ledgers, staged output, the shared zh/en vocabulary."""
