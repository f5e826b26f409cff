"""What every layer shares and no layer owns: identifiers and their dotted paths
(:mod:`glasnost.common.ids`), and reading YAML/JSON documents with precise errors
(:mod:`glasnost.common.documents`)."""
