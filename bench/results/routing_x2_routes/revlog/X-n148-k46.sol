Route #1: 15 90 116
Route #2: 96 33 36 13 66 145 49
Route #3: 120 81 7
Route #4: 40 105
Route #5: 43 58 72
Route #6: 39 89
Route #7: 117 12 3 8
Route #8: 140 121 124
Route #9: 14 61 67 98
Route #10: 65 144 131
Route #11: 118 107
Route #12: 30 56
Route #13: 85 110 137
Route #14: 26 130 57
Route #15: 114 102 138 64
Route #16: 132 97
Route #17: 113 35
Route #18: 84 134 42
Route #19: 17 112 70 142
Route #20: 136 106
Route #21: 104 32 82
Route #22: 23 47 46
Route #23: 108 74 16
Route #24: 93 21
Route #25: 38 69 29 25
Route #26: 37 125 6 103 101
Route #27: 111 146 128
Route #28: 126 53 73
Route #29: 78 41 94
Route #30: 83 76 143
Route #31: 19 133 141 147
Route #32: 11 63 24 9 50 45
Route #33: 75 18
Route #34: 22 55 27
Route #35: 68 54 10 129
Route #36: 100 115 135 31
Route #37: 34 139
Route #38: 20 80 119 48 52
Route #39: 127 77 109 62
Route #40: 87 95
Route #41: 123 91 79 92
Route #42: 99
Route #43: 88 44
Route #44: 1 59
Route #45: 71 5 28
Route #46: 4 60 51
Route #47: 2 122 86
Cost 43448
