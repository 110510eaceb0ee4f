Route #1: 22 55 27
Route #2: 142 70 112 17
Route #3: 82 32 104
Route #4: 69 29 11 38
Route #5: 14 61 67 98
Route #6: 57 130 26
Route #7: 72 58 43
Route #8: 37 125 6 48 119 52
Route #9: 62 109 77 127
Route #10: 106 136
Route #11: 75 18
Route #12: 71 5 28
Route #13: 120 81 7
Route #14: 118 107
Route #15: 94 41 78
Route #16: 129 10 54 68
Route #17: 86 122 2
Route #18: 96 33 36 13 66 145 49
Route #19: 95 87
Route #20: 79 91 128
Route #21: 140 121 124
Route #22: 21 93
Route #23: 44 88
Route #24: 74 90
Route #25: 40 105
Route #26: 15 16 117 108
Route #27: 137 110 85
Route #28: 31 135 115 100
Route #29: 1 59
Route #30: 126 53 73
Route #31: 143 76 83
Route #32: 64 138 102 114
Route #33: 113 35
Route #34: 45 50 9 24 63 25
Route #35: 34 139
Route #36: 132 97
Route #37: 101 103 80 20
Route #38: 8 116 3 12
Route #39: 111 123 146 92
Route #40: 84 134 42
Route #41: 46 47 23
Route #42: 30 56
Route #43: 19 133 141 147
Route #44: 4 60 51
Route #45: 65 144 131
Route #46: 99
Route #47: 89 39
Cost 43536
