Route #1: 35 167
Route #2: 54 4 33 17 135
Route #3: 31 64 8 29 9 5 10 23
Route #4: 72 44 79 30 66
Route #5: 147 101 80
Route #6: 116 138
Route #7: 152 155 149 94 142 99 107
Route #8: 133 27
Route #9: 163 50
Route #10: 58 126
Route #11: 159 146
Route #12: 25 28
Route #13: 128 82 78 81 39 56 45
Route #14: 74 59 151
Route #15: 117 118
Route #16: 113 49
Route #17: 157 47
Route #18: 85 12
Route #19: 86 156 134
Route #20: 3 166
Route #21: 121 37 119 105 127
Route #22: 36 125
Route #23: 71 38
Route #24: 153 100
Route #25: 2 109
Route #26: 129 130
Route #27: 87 96 89 98 93 158 164 108
Route #28: 137 18 61 51
Route #29: 136 170 77 169
Route #30: 55 76
Route #31: 41 84
Route #32: 120 144 123
Route #33: 112 122 7 91 32 16 106
Route #34: 14 20 57
Route #35: 92 110 114 70 103
Route #36: 143 150
Route #37: 24 52
Route #38: 168 165
Route #39: 102 145
Route #40: 111 34
Route #41: 97 75
Route #42: 148 162
Route #43: 139 26
Route #44: 124 67 65
Route #45: 63 73 15 43 6
Route #46: 83 21
Route #47: 42 104 19 140 1 154
Route #48: 95 90
Route #49: 22 132 131 62 161 48
Route #50: 115 40
Route #51: 11 53 88 141
Route #52: 60 69 13 68 171
Route #53: 46 160
Cost 45761
