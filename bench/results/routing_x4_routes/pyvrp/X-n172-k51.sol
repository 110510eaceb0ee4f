Route #1: 62 92 110 70 131 22
Route #2: 124 65
Route #3: 28 25
Route #4: 35 167
Route #5: 38 73 63
Route #6: 67 171 13 69 60
Route #7: 136
Route #8: 142 93 98 89 96 94 107
Route #9: 36 125
Route #10: 135 17 33 4 54
Route #11: 102 88
Route #12: 145 146 53 11 68
Route #13: 76 55
Route #14: 154 128 1 140 19 104 170
Route #15: 109 74
Route #16: 34 12
Route #17: 121 127 122 112
Route #18: 57 20 14
Route #19: 72 44 79 30 66
Route #20: 49 113
Route #21: 85 84
Route #22: 82 78 81 39 31 45
Route #23: 139 26
Route #24: 41 32 16 106
Route #25: 50 163
Route #26: 120 144 123
Route #27: 100 153
Route #28: 133 27
Route #29: 115 40
Route #30: 58 126
Route #31: 43 15 59 6
Route #32: 83 21
Route #33: 71 2
Route #34: 48 138 141
Route #35: 86 156 134
Route #36: 157 47
Route #37: 105 119 37 99 164 158 108 7 91
Route #38: 90 95
Route #39: 46 160
Route #40: 166 3
Route #41: 114 149 155 103 87 152
Route #42: 147 101 80
Route #43: 52 24
Route #44: 117 118
Route #45: 148 162
Route #46: 61 132 161 18 51
Route #47: 159 116
Route #48: 168 165
Route #49: 169 77 151 42
Route #50: 56 64 8 29 9 5 10 23
Route #51: 130 129
Route #52: 143 150
Route #53: 137 111
Route #54: 97 75
Cost 45852
