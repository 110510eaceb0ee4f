Cost 0
