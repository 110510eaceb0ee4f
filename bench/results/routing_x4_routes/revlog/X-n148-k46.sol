Route #1: 126 53 73
Route #2: 22 55 27
Route #3: 35 113
Route #4: 124 121 140
Route #5: 83 76 143
Route #6: 46 47 23
Route #7: 99
Route #8: 20 80 119 48 52
Route #9: 137 110 85
Route #10: 106 136
Route #11: 84 134 42
Route #12: 2 122 86
Route #13: 147 141 133 19
Route #14: 18 75
Route #15: 111 146 128
Route #16: 114 102 138 64
Route #17: 45 51 97
Route #18: 127 77 109 62
Route #19: 132 56
Route #20: 49 145 66 13 36 33 96
Route #21: 68 54 10 129
Route #22: 59 1
Route #23: 131 144 65
Route #24: 26 130 57
Route #25: 82 32 104
Route #26: 40 105
Route #27: 11 63 24 9 50
Route #28: 92 79 91 123
Route #29: 14 61 67 98
Route #30: 74 117 15 31
Route #31: 16 12 3 100
Route #32: 101 103 6 116
Route #33: 125 90 108
Route #34: 120 81 7
Route #35: 21 58
Route #36: 118 107
Route #37: 38 69 29 25
Route #38: 142 70 112 17
Route #39: 93 72
Route #40: 87 95
Route #41: 30 60 4
Route #42: 88 44
Route #43: 28 5 71
Route #44: 78 41 94
Route #45: 37 115 135 8
Route #46: 34 139
Route #47: 39 89 43
Cost 43570
