"""The ground floor every layer stands on: nothing here imports capture, the keeper,
the model or the exports.

:mod:`.errors` (the ``ProvgraphError`` tree), :mod:`.config` (settings: each component
declares its own section), :mod:`.redact` (secrets kept out of dumps and messages),
:mod:`.registry` (extension points by name), :mod:`.wire` (the messages between producers
and keepers), :mod:`.providers` (capabilities capture finds at run time), :mod:`.files`
(the one atomic write), :mod:`.lazy` (names a facade imports on first use), :mod:`.version`.
"""
