print("payhub")
