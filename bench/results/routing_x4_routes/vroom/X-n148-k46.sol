Route #1: 45 11 24 63 29 25
Route #2: 50 9 38 69
Route #3: 65 144 31
Route #4: 19 133 141 147
Route #5: 20 80 119 103
Route #6: 116 12 74
Route #7: 101 48 6 3
Route #8: 51 64 94
Route #9: 15 135 115 100
Route #10: 49 145 66 13 36 33 70
Route #11: 59 1
Route #12: 102 131 41 78
Route #13: 120 81 7
Route #14: 105 40
Route #15: 125 90 108
Route #16: 117 16 138
Route #17: 28 5 71
Route #18: 139 91
Route #19: 57 130 26
Route #20: 52 37 8 114 4 60
Route #21: 128 146 92
Route #22: 111 96 34 79 17
Route #23: 140 121 124
Route #24: 97 132
Route #25: 35 113
Route #26: 127 2 122
Route #27: 30 56
Route #28: 68 54 10 129
Route #29: 142 112 123
Route #30: 95 87
Route #31: 143 76 83
Route #32: 126 53 73
Route #33: 104 32 82
Route #34: 22 55 27
Route #35: 106 136
Route #36: 85 110 137
Route #37: 107 62 118
Route #38: 98 67 61 14
Route #39: 77 109 134
Route #40: 42 84 86
Route #41: 93 72
Route #42: 18 75
Route #43: 46 47 23
Route #44: 88 44
Route #45: 43 89 39
Route #46: 58 21
Route #47: 99
Cost 44094
