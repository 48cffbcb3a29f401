print("trapeze: not built yet")
