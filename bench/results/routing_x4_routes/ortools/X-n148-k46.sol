Route #1: 69 78 41
Route #2: 102 144 24 9
Route #3: 81 119 12
Route #4: 94 117 3 100
Route #5: 37 101 80 120
Route #6: 5 29
Route #7: 141 147 64 19
Route #8: 125 135 115 6
Route #9: 51 50 131
Route #10: 103 48 26
Route #11: 40 105
Route #12: 74 90
Route #13: 49 59 71 25 11 38
Route #14: 138 16 116
Route #15: 34 66 13
Route #16: 28 1 145
Route #17: 63 133 65 60
Route #18: 112 139
Route #19: 111 87 95
Route #20: 97 132
Route #21: 56 30 45
Route #22: 113 32
Route #23: 4 31 15 108 114
Route #24: 92 146 128
Route #25: 10 7 130
Route #26: 83 76 143
Route #27: 124 121 140
Route #28: 122 96 123
Route #29: 27 55 22
Route #30: 98 67 61 57 20
Route #31: 44 54 14
Route #32: 142 35 70 104
Route #33: 79 33 36 91 2
Route #34: 72 93 17
Route #35: 85 77 109
Route #36: 58 21
Route #37: 110 127 82 136
Route #38: 18 137
Route #39: 53 8 52 73
Route #40: 86 84 134
Route #41: 106 129 68
Route #42: 39 89 43
Route #43: 118 62 107
Route #44: 75 88
Route #45: 23 47 126
Route #46: 99 42 46
Cost 47487
