import Guest

extension EngineKind {
    /// A fresh engine of this kind, for callers outside the facade (tests wrapping an engine,
    /// tools comparing two).
    public func makeEngine() -> any Engine { make() }
}
