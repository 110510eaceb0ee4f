Route #1: 28 25
Route #2: 30 79 44 72 45 104
Route #3: 121 127 122 112
Route #4: 56 64 8 29 9 5 10 23
Route #5: 68 11 53 146 145
Route #6: 57 20 14
Route #7: 105 119 37 107 142 99 164 108 7 91
Route #8: 3 166
Route #9: 83 21
Route #10: 43 15 63 19 140
Route #11: 124
Route #12: 143
Route #13: 102 88
Route #14: 55 76
Route #15: 17 128 82 78 81 39 31
Route #16: 115 40
Route #17: 47 157
Route #18: 137 150
Route #19: 114 149 155 103 87 152
Route #20: 106 16 32 41
Route #21: 27 162
Route #22: 97 75
Route #23: 62 92 110 70 131 22
Route #24: 123 144 120
Route #25: 77 42 170 135 154
Route #26: 147 101 80
Route #27: 113 49
Route #28: 34 111
Route #29: 35 167
Route #30: 117 118
Route #31: 65 12 133
Route #32: 73 66 38 6
Route #33: 71 148
Route #34: 138 141 48
Route #35: 46 160
Route #36: 95 90
Route #37: 129 130
Route #38: 50 163
Route #39: 125 36
Route #40: 86 156 134
Route #41: 74 59 151
Route #42: 153 100
Route #43: 94 96 89 98 93 158
Route #44: 60 69 13 171 67
Route #45: 54 4 33 1
Route #46: 169 136
Route #47: 26 139
Route #48: 159 116
Route #49: 84 85
Route #50: 165 168
Route #51: 24 52
Route #52: 58 126
Route #53: 2 109
Route #54: 51 18 161 132 61
Cost 45781
